//! Double-precision arithmetic through the block cache: the host's FP unit
//! on the common path, with Arm's results (fused multiply-add, FMAX).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use emu_benches::run_until_svc;
use emu_cpu::BlockCache;
use std::hint::black_box;

/// Six FP operations per iteration, counting x0 down.
const LOOP: [u32; 9] = [
    0x1f42_0020, // fmadd d0, d1, d2, d0
    0x1e64_0803, // fmul d3, d0, d4
    0x1e65_2821, // fadd d1, d1, d5
    0x1e61_1866, // fdiv d6, d3, d1
    0x1e61_c0c7, // fsqrt d7, d6
    0x1e67_4908, // fmax d8, d8, d7
    0xf100_0400, // subs x0, x0, #1
    0x54ff_ff21, // b.ne -28
    0xd400_0001, // svc #0
];

const D1: f64 = 1.0;
const D2: f64 = 0.5;
const D4: f64 = 0.75;
const D5: f64 = 0.001;

/// The loop's d8, computed by the host.
fn expected(n: u64) -> f64 {
    let (mut d0, mut d1, mut d8) = (0.0f64, D1, 0.0f64);
    for _ in 0..n {
        d0 = d1.mul_add(D2, d0);
        let d3 = d0 * D4;
        d1 += D5;
        d8 = d8.max((d3 / d1).sqrt());
    }
    d8
}

fn fp(c: &mut Criterion) {
    const N: u64 = 100_000;
    let want = expected(N).to_bits();
    let mut cache = BlockCache::new();
    let mut g = c.benchmark_group("fp");
    g.throughput(Throughput::Elements(6 * N));
    g.bench_function("fmadd_fmul_fadd_fdiv_fsqrt_fmax_loop", |b| {
        b.iter(|| {
            let cpu = run_until_svc(&mut cache, &LOOP, |cpu| {
                cpu.x[0] = black_box(N);
                for (reg, value) in [(1, D1), (2, D2), (4, D4), (5, D5)] {
                    cpu.v[reg] = value.to_bits().into();
                }
            });
            assert_eq!(cpu.v[8] as u64, want);
        })
    });
    g.finish();
}

criterion_group!(benches, fp);
criterion_main!(benches);
