/**
 * The PyTorch reference for `dl-lab bench`: the same network (any model torchSpec.ts describes), batch,
 * optimizer, loss and thread count, measured by a Python script embedded here (so that it ships inside
 * the bundled dist/engine.js) and run with `python -c`. The interpreter is the first of $DL_LAB_PYTHON,
 * /usr/bin/python3, python3 that can import torch.
 */
import { spawn } from 'node:child_process';
import type { TorchSpec } from './torchSpec';

/**
 * Builds the network from the graph of torchSpec.ts (NCHW: the same layers, parameters and FLOPs, in
 * PyTorch's layout), then trains it as the engine's trainStep does: with a softmax output, tfjs's
 * categoricalCrossentropy (normalise, clip to [1e-7, 1-1e-7], -sum y log p, batch mean), otherwise
 * cross-entropy on logits; Adam 1e-3; the step also counts correct predictions. 'same' padding is
 * (k-1)/2 per side with ceil-mode pooling, which gives TensorFlow's output sizes for the odd kernels and
 * even strides used here. No Python backticks or dollar-braces below.
 */
const SCRIPT = String.raw`
import json, math, sys, time
try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:
    print(json.dumps({"unavailable": "cannot import torch (%s)" % e}))
    sys.exit(3)

cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg["threads"])
torch.manual_seed(0)

ACT = {"linear": lambda x: x, "relu": F.relu, "relu6": F.relu6, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
       "softmax": lambda x: torch.softmax(x, dim=1), "elu": F.elu, "selu": F.selu, "softplus": F.softplus,
       "swish": F.silu, "gelu": F.gelu}

def same_pad(k, d=1):
    return (d * (k - 1)) // 2

class Net(nn.Module):
    def __init__(self, nodes):
        super().__init__()
        self.nodes = nodes
        self.mods = nn.ModuleList()
        self.slot = []
        for n in nodes:
            m = None
            k = n["kind"]
            if k == "conv2d":
                kh, kw = n["kernel"]
                dh, dw = n["dilation"]
                pad = (same_pad(kh, dh), same_pad(kw, dw)) if n["padding"] == "same" else 0
                m = nn.Conv2d(n["inChannels"], n["filters"], (kh, kw), stride=tuple(n["strides"]), padding=pad,
                              dilation=(dh, dw), groups=n["groups"], bias=n["useBias"])
            elif k == "dense":
                m = nn.Linear(n["inShape"][0], n["units"], bias=n["useBias"])
            elif k == "batchNorm":
                m = nn.BatchNorm2d(n["inShape"][-1], eps=n["epsilon"], momentum=1 - n["momentum"]) if len(n["inShape"]) == 3                     else nn.BatchNorm1d(n["inShape"][-1], eps=n["epsilon"], momentum=1 - n["momentum"])
            elif k == "dropout":
                m = nn.Dropout(n["rate"])
            if m is not None:
                self.slot.append(len(self.mods))
                self.mods.append(m)
            else:
                self.slot.append(-1)

    def forward(self, x):
        outs = []
        for i, n in enumerate(self.nodes):
            k = n["kind"]
            xs = [outs[j] for j in n["inputs"]]
            if k == "input":
                y = x
            elif k in ("conv2d", "dense"):
                y = ACT[n["activation"]](self.mods[self.slot[i]](xs[0]))
            elif k in ("batchNorm", "dropout"):
                y = self.mods[self.slot[i]](xs[0])
            elif k == "activation":
                y = ACT[n["activation"]](xs[0])
            elif k in ("maxPool", "avgPool"):
                ph, pw = n["pool"]
                pad = (same_pad(ph), same_pad(pw)) if n["padding"] == "same" else 0
                f = F.max_pool2d if k == "maxPool" else F.avg_pool2d
                y = f(xs[0], (ph, pw), tuple(n["strides"]), pad, ceil_mode=n["padding"] == "same")
            elif k == "globalAvgPool":
                y = xs[0].mean(dim=(2, 3))
            elif k == "globalMaxPool":
                y = xs[0].amax(dim=(2, 3))
            elif k == "flatten":
                y = torch.flatten(xs[0], 1)
            elif k == "add":
                y = xs[0]
                for t in xs[1:]:
                    y = y + t
            elif k == "concat":
                y = torch.cat(xs, dim=1)
            else:
                raise ValueError("unknown node kind " + k)
            outs.append(y)
        return outs[-1]

nodes = cfg["spec"]["nodes"]
net = Net(nodes)
params = sum(p.numel() for p in net.parameters() if p.requires_grad)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
B = cfg["batchSize"]
h, w, c = nodes[0]["inShape"]
classes = cfg["numClasses"]
x = torch.rand(B, c, h, w)
y = F.one_hot(torch.randint(0, classes, (B,)), classes).float()
softmax_out = nodes[-1].get("activation") == "softmax"
eps = 1e-7

def step():
    opt.zero_grad(set_to_none=True)
    p = net(x)
    correct = (p.argmax(1) == y.argmax(1)).sum()
    if softmax_out:
        p = (p / p.sum(dim=1, keepdim=True)).clamp(eps, 1 - eps)
        loss = -(y * torch.log(p)).sum(dim=1).mean()
    else:
        loss = F.cross_entropy(p, y.argmax(1))
    loss.backward()
    opt.step()
    return loss, correct

net.train()
for _ in range(cfg["warmup"]):
    step()
print(json.dumps({"ready": True, "threads": torch.get_num_threads(), "torch": torch.__version__, "python": sys.executable,
                  "params": params}), flush=True)
# One measurement window per request line {"steps": n}, so that the caller can interleave these windows
# with its own and both sides see the same load on a shared machine.
for line in sys.stdin:
    n = json.loads(line)["steps"]
    t = time.perf_counter()
    for _ in range(n):
        step()
    print(json.dumps({"rate": B * n / (time.perf_counter() - t)}), flush=True)
`;

export interface PytorchConfig {
  batchSize: number;
  threads: number;
  warmup: number;
  /** The network, from torchSpec(). */
  spec: TorchSpec;
  numClasses: number;
}

export interface PytorchSession {
  torch: string;
  python: string;
  threads: number;
  /** Trainable parameters of the PyTorch network (to check it is the same network). */
  params: number;
  /** Runs `steps` training steps in the Python process; resolves to samples per second. */
  window(steps: number): Promise<number>;
  close(): void;
}

export type PytorchStart = { ok: true; session: PytorchSession } | { ok: false; reason: string };

export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = [env.DL_LAB_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p && p.trim() !== '');
  return [...new Set(list)];
}

type Line = Record<string, unknown>;

/** Starts the reference in one interpreter: resolves once it has warmed up, or says why it can't. */
function startWith(python: string, config: PytorchConfig, timeoutMs: number): Promise<PytorchStart & { tryNext?: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(python, ['-c', SCRIPT, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let buffered = '';
    let settled = false;
    const waiting: ((line: Line | null) => void)[] = [];
    const lines: (Line | null)[] = [];
    const push = (line: Line | null) => {
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    };
    const next = (ms: number) =>
      new Promise<Line | null>((res) => {
        if (lines.length > 0) return res(lines.shift()!);
        const timer = setTimeout(() => {
          const i = waiting.indexOf(done);
          if (i >= 0) waiting.splice(i, 1);
          res(null);
        }, ms);
        const done = (line: Line | null) => {
          clearTimeout(timer);
          res(line);
        };
        waiting.push(done);
      });
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const text = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        try {
          const value: unknown = JSON.parse(text);
          if (value && typeof value === 'object') push(value as Line);
        } catch {
          // not one of ours
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => {}); // the child may die before reading
    const finish = (r: PytorchStart & { tryNext?: boolean }) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      push(null);
      finish({ ok: false, reason: `${python}: ${err.code === 'ENOENT' ? 'not found' : err.message}`, tryNext: true });
    });
    child.on('close', () => push(null));
    void next(timeoutMs).then((first) => {
      if (first && first.ready === true) {
        const session: PytorchSession = {
          torch: String(first.torch),
          python: String(first.python || python),
          threads: Number(first.threads),
          params: Number(first.params),
          async window(steps: number) {
            child.stdin.write(JSON.stringify({ steps }) + '\n');
            const reply = await next(timeoutMs);
            if (!reply || typeof reply.rate !== 'number') {
              throw new Error(`the PyTorch reference stopped answering${stderr ? `: ${lastLine(stderr)}` : ''}`);
            }
            return reply.rate;
          },
          close() {
            child.stdin.end();
            child.kill();
          },
        };
        finish({ ok: true, session });
        return;
      }
      child.kill();
      if (first && typeof first.unavailable === 'string') {
        finish({ ok: false, reason: `${python}: ${first.unavailable}`, tryNext: true });
      } else if (!settled) {
        // Not a Python that runs the script (Python 2, another program, a crash): try the next one.
        const why = first === null && !stderr ? 'did not start in time' : lastLine(stderr) || 'exited';
        finish({ ok: false, reason: `${python}: could not run the reference (${why})`, tryNext: true });
      }
    });
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').slice(-1)[0] ?? '';
}

/** Starts the reference with the first interpreter that imports torch; says why when none does. */
export async function startPytorch(
  config: PytorchConfig,
  candidates: string[] = pythonCandidates(),
  timeoutMs = 120_000,
): Promise<PytorchStart> {
  const tried: string[] = [];
  for (const python of candidates) {
    const r = await startWith(python, config, timeoutMs);
    if (r.ok) return r;
    if (!r.tryNext) return { ok: false, reason: r.reason };
    tried.push(r.reason);
  }
  return { ok: false, reason: `no Python with torch (${tried.join('; ')})` };
}
