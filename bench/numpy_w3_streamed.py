#!/usr/bin/python3
"""NumPy peer for W3 streamed: the peer script's own sampler (bench_numpy.sample_into, chunks of
2^16 elements) filling a reused block of ROWS rows again and again, each block consumed by the
same checksum relaxed-mc's side uses (first + last value). Prints one JSON line like the peers.
usage: numpy_w3_streamed.py PEERS_DIR ROWS"""
import json, os, sys, time
import numpy as np

peers, block_rows = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, peers)
from common import WORKLOADS, load_logits  # noqa: E402

K, tau, N, _ = WORKLOADS['W3']
logits = load_logits(K)
nl = logits - (np.max(logits) + np.log(np.sum(np.exp(logits - np.max(logits)))))
rng = np.random.Generator(np.random.PCG64(12345))
rows = max(1, (1 << 16) // K)
inv_tau = 1.0 / tau
lt = nl * inv_tau

def sample_into(u):
    # The same operations as bench_numpy.sample_into.
    rng.random(out=u)
    np.maximum(u, 1e-300, out=u)
    np.log(u, out=u); np.negative(u, out=u); np.log(u, out=u)
    np.multiply(u, -inv_tau, out=u); np.add(u, lt, out=u)
    mm = u.max(axis=1, keepdims=True)
    np.subtract(u, mm, out=u); np.exp(u, out=u)
    s = u.sum(axis=1, keepdims=True)
    np.divide(u, s, out=u)

t0 = time.perf_counter()
block = np.empty((block_rows, K))
checksum = 0.0
for b0 in range(0, N, block_rows):
    m = min(block_rows, N - b0)
    for r0 in range(0, m, rows):
        sample_into(block[r0:min(m, r0 + rows)])
    checksum += block[0, 0] + block[m - 1, K - 1]
t = time.perf_counter() - t0
print(json.dumps({'impl': 'numpy-streamed', 'workload': 'W3', 'seconds': t, 'elements_per_s': N * K / t, 'checksum': checksum}), flush=True)
