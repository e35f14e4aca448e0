/**
 * The PyTorch reference for `dl-lab bench`: the same LeNet-5, batch, optimizer, loss and thread count,
 * measured by a Python script embedded here (so that it ships inside the bundled dist/engine.js) and run
 * with `python -c`. The interpreter is the first of $DL_LAB_PYTHON, /usr/bin/python3, python3 that
 * can import torch.
 */
import { spawn } from 'node:child_process';

/**
 * Mirrors src/engine/bench/lenet.ts and the engine's trainStep: conv 5x5 'same' (padding 2) + tanh, 2x2
 * average pooling, conv 5x5 valid + tanh, pooling, dense 120 tanh, 84 tanh, 10 softmax; tfjs's
 * categoricalCrossentropy (normalise, clip to [1e-7, 1-1e-7], -sum y log p, batch mean); Adam 1e-3; the
 * step also counts correct predictions, as trainStep does. No Python backticks or dollar-braces below.
 */
const SCRIPT = String.raw`
import json, sys, time
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

class LeNet5(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.c3 = nn.Conv2d(6, 16, 5)
        self.f5 = nn.Linear(16 * 5 * 5, 120)
        self.f6 = nn.Linear(120, 84)
        self.out = nn.Linear(84, classes)

    def forward(self, x):
        x = F.avg_pool2d(torch.tanh(self.c1(x)), 2)
        x = F.avg_pool2d(torch.tanh(self.c3(x)), 2)
        x = torch.flatten(x, 1)
        x = torch.tanh(self.f5(x))
        x = torch.tanh(self.f6(x))
        return torch.softmax(self.out(x), dim=1)

B = cfg["batchSize"]
net = LeNet5()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
x = torch.rand(B, 1, 28, 28)
y = F.one_hot(torch.randint(0, 10, (B,)), 10).float()
eps = 1e-7

def step():
    opt.zero_grad(set_to_none=True)
    p = net(x)
    correct = (p.argmax(1) == y.argmax(1)).sum()
    p = (p / p.sum(dim=1, keepdim=True)).clamp(eps, 1 - eps)
    loss = -(y * torch.log(p)).sum(dim=1).mean()
    loss.backward()
    opt.step()
    return loss, correct

for _ in range(cfg["warmup"]):
    step()
rates = []
for _ in range(cfg["windows"]):
    t = time.perf_counter()
    for _ in range(cfg["steps"]):
        step()
    rates.append(B * cfg["steps"] / (time.perf_counter() - t))
print(json.dumps({"rates": rates, "threads": torch.get_num_threads(), "torch": torch.__version__, "python": sys.executable}))
`;

export interface PytorchConfig {
  batchSize: number;
  threads: number;
  warmup: number;
  /** Measurement windows, and steps per window. */
  windows: number;
  steps: number;
}

export type PytorchOutcome =
  | { ok: true; rates: number[]; torch: string; python: string; threads: number }
  | { ok: false; reason: string };

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
  spawnError?: NodeJS.ErrnoException;
}

function run(python: string, args: string[], timeoutMs: number): Promise<Exit> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (!settled) resolve({ code: null, stdout, stderr, spawnError: err });
      settled = true;
    });
    child.on('close', (code) => {
      if (!settled) resolve({ code, stdout, stderr });
      settled = true;
    });
  });
}

function lastJsonLine(text: string): Record<string, unknown> | null {
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === 'object') return value as Record<string, unknown>;
    } catch {
      // not the JSON line
    }
  }
  return null;
}

export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = [env.DL_LAB_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p && p.trim() !== '');
  return [...new Set(list)];
}

/** Runs the reference with the first interpreter that imports torch; says why when none does. */
export async function measurePytorch(config: PytorchConfig, timeoutMs = 180_000): Promise<PytorchOutcome> {
  const tried: string[] = [];
  for (const python of pythonCandidates()) {
    const exit = await run(python, ['-c', SCRIPT, JSON.stringify(config)], timeoutMs);
    if (exit.spawnError) {
      tried.push(`${python}: ${exit.spawnError.code === 'ENOENT' ? 'not found' : exit.spawnError.message}`);
      continue;
    }
    const out = lastJsonLine(exit.stdout);
    if (out && typeof out.unavailable === 'string') {
      tried.push(`${python}: ${out.unavailable}`);
      continue;
    }
    if (exit.code === 0 && out && Array.isArray(out.rates)) {
      return {
        ok: true,
        rates: out.rates as number[],
        torch: String(out.torch),
        python: String(out.python || python),
        threads: Number(out.threads),
      };
    }
    const why = exit.code === null ? 'timed out' : `exited with ${exit.code}`;
    const tail = exit.stderr.trim().split('\n').slice(-1)[0] ?? '';
    return { ok: false, reason: `${python} imports torch but the benchmark ${why}${tail ? `: ${tail}` : ''}` };
  }
  return { ok: false, reason: `no Python with torch (${tried.join('; ')})` };
}
