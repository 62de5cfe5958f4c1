//! Decoding: one instruction word through the decode table into an `Op`, and
//! a whole block as the block cache builds it on a miss.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use emu_benches::HostCode;
use emu_cpu::a64::is_branch;
use emu_cpu::cache::build_block;
use emu_cpu::decode::Decoder;
use std::hint::black_box;

/// What compiled code is made of: integer, loads and stores, branches, FP
/// and AdvSIMD.
const MIX: [u32; 27] = [
    0x8b00_0021, // add x1, x1, x0
    0xf100_0400, // subs x0, x0, #1
    0x54ff_ffc1, // b.ne -8
    0xf940_0422, // ldr x2, [x1, #8]
    0xb900_0fe3, // str w3, [sp, #12]
    0xa8c1_7bfd, // ldp x29, x30, [sp], #16
    0xa9bf_7bfd, // stp x29, x30, [sp, #-16]!
    0xd280_0540, // mov x0, #42
    0x9400_0040, // bl +0x100
    0xd65f_03c0, // ret
    0xb400_0040, // cbz x0, +8
    0x9a82_0020, // csel x0, x1, x2, eq
    0xd37d_f020, // lsl x0, x1, #3
    0x9b02_0c20, // madd x0, x1, x2, x3
    0x9000_0000, // adrp x0, .
    0x885f_fc01, // ldaxr w1, [x0]
    0x3866_68a4, // ldrb w4, [x5, x6]
    0x9240_1d07, // and x7, x8, #0xff
    0x1e62_2820, // fadd d0, d1, d2
    0x1e62_0820, // fmul d0, d1, d2
    0x1f42_0c20, // fmadd d0, d1, d2, d3
    0x9e78_0000, // fcvtzs x0, d0
    0x9e62_0000, // scvtf d0, x0
    0x3dc0_0000, // ldr q0, [x0]
    0x4ea2_8420, // add v0.4s, v1.4s, v2.4s
    0x6e25_8c83, // cmeq v3.16b, v4.16b, v5.16b
    0xd400_0001, // svc #0
];

const PC: u64 = 0x40_0000;

fn decode(c: &mut Criterion) {
    let decoder = Decoder::get();
    for insn in MIX {
        assert!(decoder.decode(insn, PC).is_some(), "{insn:#010x} does not decode");
    }
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(MIX.len() as u64));
    g.bench_function("mix", |b| {
        b.iter(|| {
            for insn in MIX {
                black_box(decoder.decode(black_box(insn), PC));
            }
        })
    });

    // The mix without its branches, then SVC: one straight-line block.
    let block: Vec<u32> = MIX.iter().copied().filter(|&i| !is_branch(i)).chain([0xd400_0001]).collect();
    let start = block.as_ptr() as u64;
    assert_eq!(build_block(start, &HostCode).ops.len(), block.len(), "the block must end at its SVC");
    g.throughput(Throughput::Elements(block.len() as u64));
    g.bench_function("build_block", |b| b.iter(|| black_box(build_block(black_box(start), &HostCode))));
    g.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
