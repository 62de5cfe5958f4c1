//! The interpreter's dispatch on a hot integer loop: pre-decoded blocks, one
//! indirect jump per instruction (threaded), a link or lookup per taken branch.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use emu_benches::run_until_svc;
use emu_cpu::BlockCache;
use std::hint::black_box;

/// x1 = sum of 1..=x0, counting x0 down: ADD, SUBS, B.NE per iteration.
const LOOP: [u32; 4] = [
    0x8b00_0021, // add x1, x1, x0
    0xf100_0400, // subs x0, x0, #1
    0x54ff_ffc1, // b.ne -8
    0xd400_0001, // svc #0
];

fn dispatch(c: &mut Criterion) {
    const N: u64 = 100_000;
    let mut cache = BlockCache::new();
    let mut g = c.benchmark_group("dispatch");
    g.throughput(Throughput::Elements(3 * N));
    g.bench_function("add_subs_bne_loop", |b| {
        b.iter(|| {
            let cpu = run_until_svc(&mut cache, &LOOP, |cpu| cpu.x[0] = black_box(N));
            assert_eq!(cpu.x[1], N * (N + 1) / 2);
        })
    });
    g.finish();
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
