"""Runs exported ONNX models with ONNX Runtime, for test/export: each DIR/<case>.onnx is checked with
onnx.checker (full_check: shapes and types inferred through the graph) and run on DIR/<case>.input.bin
(float32, shape in DIR/<case>.json); its output goes to DIR/<case>.output.bin. Prints one JSON object per case."""
import json, os, sys
import numpy as np
import onnx
import onnxruntime as ort

folder = sys.argv[1]
for name in sorted(f[:-5] for f in os.listdir(folder) if f.endswith('.onnx')):
    base = os.path.join(folder, name)
    report = {'case': name}
    try:
        model = onnx.load(base + '.onnx')
        onnx.checker.check_model(model, full_check=True)
        report['opset'] = model.opset_import[0].version
        spec = json.load(open(base + '.json'))
        x = np.fromfile(base + '.input.bin', dtype=np.float32).reshape(spec['shape'])
        session = ort.InferenceSession(base + '.onnx', providers=['CPUExecutionProvider'])
        (y,) = session.run(None, {session.get_inputs()[0].name: x})
        y.astype(np.float32).tofile(base + '.output.bin')
        report['shape'] = list(y.shape)
    except Exception as err:  # reported to the test, which names the case
        report['error'] = str(err).split('\n')[0][:500]
    print(json.dumps(report), flush=True)
