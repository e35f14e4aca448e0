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
print(json.dumps({"ready": True, "threads": torch.get_num_threads(), "torch": torch.__version__, "python": sys.executable}), flush=True)
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
}

export interface PytorchSession {
  torch: string;
  python: string;
  threads: number;
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
