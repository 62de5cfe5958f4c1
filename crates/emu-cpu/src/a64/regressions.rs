//! Regression cases found by the random differential tester (crates/difftest):
//! one row per bug fixed, with the expected values from qemu-aarch64-static (or
//! the Arm manual where qemu is wrong). `difftest` prints a mismatch as a `pin:`
//! row in this format.

use crate::decode::Decoder;
use crate::hostfp::apply_fpcr;
use crate::state::Cpu;

/// insn, assembly, FPCR, NZCV in, x inputs, v inputs, x outputs, v outputs,
/// FPSR after (if checked), NZCV after (if checked).
type Row = (
    u32,
    &'static str,
    u32,
    u32,
    &'static [(u8, u64)],
    &'static [(u8, u128)],
    &'static [(u8, u64)],
    &'static [(u8, u128)],
    Option<u32>,
    Option<u32>,
);

// One argument per column keeps the rows that `difftest` prints pasteable.
#[allow(clippy::too_many_arguments)]
const fn rc(
    insn: u32,
    asm: &'static str,
    fpcr: u32,
    nzcv: u32,
    x_in: &'static [(u8, u64)],
    v_in: &'static [(u8, u128)],
    x_out: &'static [(u8, u64)],
    v_out: &'static [(u8, u128)],
    fpsr: Option<u32>,
    nzcv_out: Option<u32>,
) -> Row {
    (insn, asm, fpcr, nzcv, x_in, v_in, x_out, v_out, fpsr, nzcv_out)
}

#[rustfmt::skip]
static ROWS: &[Row] = &[
    // FPSR flags from the host: IXC of an inexact add.
    rc(0x1e672917, "fadd d23, d8, d7", 0x4000000, 0x20000000, &[], &[(23, 0x5c007e962b93bd0094c9fc835c1246b0), (8, 0xfff829f221138e13b375d23763844c20), (7, 0x0000000996d377840000000e80000000)], &[], &[], Some(0x00000010), None),
    // IDC: FZ flushes a denormal input (FMADD family, FCCMP, vector compares, FCVTZS).
    rc(0x1f6e1af7, "fnmadd d23, d23, d14, d6", 0x5c00000, 0x60000000, &[], &[(23, 0x00000000759a358a000000000000007d), (14, 0x42c0000000000000c3f87bcd7f8ea04a), (6, 0xfffbf778a2fa58a0e92e17ec9d9f5c90)], &[], &[], Some(0x00000080), None),
    rc(0x1e3365ae, "fccmp s13, s19, #0xe, vs", 0x5080000, 0x30000000, &[], &[(13, 0x407d7e18ac43d2dbffe58bdf8a6640a4), (19, 0x9b3cdd45eccf514d7f7629e08037faf3)], &[], &[], Some(0x00000080), None),
    rc(0x2ea5e43c, "fcmgt v28.2s, v1.2s, v5.2s", 0x1000000, 0x90000000, &[], &[(28, 0x00000000ab5d5c7c0000000080ce75c7), (1, 0xc17a9934cc7409e600000000ff03c960), (5, 0x0000000000007a140000000000007dc7)], &[], &[], Some(0x00000080), None),
    rc(0x1e7801f8, "fcvtzs w24, d15", 0x1000000, 0x70000000, &[(24, 0x0000000027e00b87)], &[(15, 0x638ab13e6f22b91f80095956e916acc6)], &[], &[], Some(0x00000080), None),
    // UFC of a conversion to half, OFC of one to single.
    rc(0x1e63c28a, "fcvt h10, d20", 0x4080000, 0x10000000, &[], &[(10, 0xd366070b61cb6d422f9a3fcd1e8f1083), (20, 0x28f3ff377c00540032544e160000ee5c)], &[], &[], Some(0x00000018), None),
    rc(0x1e624142, "fcvt s2, d10", 0x4c00000, 0x50000000, &[], &[(2, 0x5b51788a8000000043c00000ff800000), (10, 0x00000000c6889ffaffefadcd1791e706)], &[], &[], Some(0x00000014), None),
    // Round to nearest / ties away whatever FPCR.RMode says (the host's rint and
    // round follow MXCSR, which follows FPCR).
    rc(0x1e600234, "fcvtns w20, d17", 0x800000, 0xc0000000, &[(20, 0x2)], &[(17, 0xffec51f1c7b1986b96d659c3495ae538)], &[(20, 0x0)], &[], None, None),
    rc(0x9e210049, "fcvtnu x9, s2", 0x400000, 0x40000000, &[(9, 0x5807b0540893320f)], &[(2, 0xd29db0a3ae8b3040dfbd3f6e5e5a363d)], &[(9, 0x368d8f4000000000)], &[], Some(0x00000000), None),
    rc(0x9e24019b, "fcvtas x27, s12", 0x1800000, 0x80000000, &[(27, 0x0000000080000000)], &[(12, 0x7fabbdaeff80000080000000ddba8b6e)], &[(27, 0xe8ae924000000000)], &[], Some(0x00000000), None),
    rc(0x4e2188c8, "frintn v8.4s, v6.4s", 0x800000, 0xe0000000, &[], &[(8, 0x413c7c681882f3f5fffefbb849c79049), (6, 0xabfd396a02b2915c00000000ff47b032)], &[], &[(8, 0x800000000000000000000000ff47b032)], None, None),
    // Underflow is detected before rounding: 0x00800000 - tiny rounds up to the
    // smallest normal, and still raises UFC.
    rc(0x4fa250dc, "fmls v28.4s, v6.4s, v2.s[1]", 0x4000000, 0x0, &[], &[(28, 0x436dae1000800000000000013fc71bae), (6, 0x0000000000007a6400000000c2270f70), (2, 0x7c00fbc700636680030c00008105fe3e)], &[], &[], Some(0x00000018), None),
    // FPCR.AHP: the alternative half format saturates, with IOC.
    rc(0x4e216b2c, "fcvtn2 v12.8h, v25.4s", 0x6000000, 0x20000000, &[], &[(12, 0x0086a682ba7d200ca2800000ca3c0007), (25, 0x9778cb6cc2e176007f8000007f800000)], &[], &[(12, 0x8000d70c7fff7fffa2800000ca3c0007)], Some(0x00000019), None),
    rc(0x4e216829, "fcvtn2 v9.8h, v1.4s", 0x5000000, 0xe0000000, &[], &[(9, 0x000de3b7b418877a7ff01dfdf00e56cb), (1, 0xd3c8cfc2b52546d43f9e0d40003cc283)], &[], &[(9, 0xffff800a3cf000007ff01dfdf00e56cb)], Some(0x00000099), None),
    // FZ flushes a tiny result rounded towards minus infinity to -0.
    rc(0x4e616bac, "fcvtn2 v12.4s, v29.2d", 0x1880000, 0x50000000, &[], &[(12, 0x7ff94d52bdc51022c2751f05e3ecda4b), (29, 0x808e4888009a3ca6ff800000a0895cab)], &[], &[(12, 0x80000000ff800000c2751f05e3ecda4b)], None, None),
    // FRSQRTS rounds (3 - a*b) / 2 once: no overflow in the intermediate.
    rc(0x5eb5fe61, "frsqrts s1, s19, s21", 0x1800000, 0x60000000, &[], &[(1, 0x000000008c06a08c8000000000000000), (19, 0xff80000021645fa27f26b5c665815005), (21, 0x7f9eff9c00007ff4fffec000fc377939)], &[], &[(1, 0x0000000000000000000000007f7fffff)], None, None),
    rc(0x5eebff6c, "frsqrts d12, d27, d11", 0x400000, 0xf0000000, &[], &[(12, 0x00000000455c0120d83f3fd5ca66f33e), (27, 0xd0d0bdda352b28a746554b1f292821a2), (11, 0x4a39c8d9bd9cf1177f48bc9cc4388000)], &[], &[(12, 0x0000000000000000ffefffffffffffff)], None, None),
    // FMAXNMP: a denormal against a quiet NaN is flushed first.
    rc(0x7e30c8e5, "fmaxnmp s5, v7.2s", 0x1c00000, 0xf0000000, &[], &[(5, 0x42f2fedf4c079a2d8000000000000000), (7, 0xf571e268ffffffe4ffffffe700200000)], &[], &[(5, 0x00000000000000000000000000000000)], Some(0x00000080), None),
    // UCVTF of zero is +0 even when rounding towards minus infinity.
    rc(0x9e6301eb, "ucvtf d11, x15", 0x4800000, 0x20000000, &[(15, 0x0000000000000000)], &[(11, 0x801f813456c9ea7e7fff1d27315a864a)], &[], &[(11, 0x00000000000000000000000000000000)], None, None),
    // RSUBHN: a - b borrows; (0 - 1 + 0x80) >> 8 is 0 (this overflowed, a panic in debug builds).
    rc(0x2e226020, "rsubhn v0.8b, v1.8h, v2.8h", 0x0, 0x0, &[], &[(0, 0xffff), (1, 0), (2, 0x0001_0001_0001_0001_0001_0001_0001_0001)], &[], &[(0, 0)], None, None),
];

/// Unallocated encodings emu used to accept (qemu and objdump reject them).
static UNDEFINED: &[(u32, &str)] = &[
    (0x5e2129ac, "XTN has no scalar form"),
    (0x4ee064a7, "SMAX (vector) has no 64-bit element size"),
    (0x5ee4648d, "SMAX has no scalar form"),
];

#[test]
fn unallocated_encodings_stay_undefined() {
    for &(insn, why) in UNDEFINED {
        assert!(Decoder::get().decode(insn, 0x1000).is_none(), "{insn:08x} decodes, but {why}");
    }
}

#[test]
fn difftest_regressions() {
    let mut bad = Vec::new();
    for &(insn, asm, fpcr, nzcv, x_in, v_in, x_out, v_out, fpsr, nzcv_out) in ROWS {
        let mut c = Cpu { fpcr, nzcv, ..Cpu::default() };
        for &(r, v) in x_in {
            c.x[r as usize] = v;
        }
        for &(r, v) in v_in {
            c.v[r as usize] = v;
        }
        let Some(op) = Decoder::get().decode(insn, 0x1000) else {
            bad.push(format!("{asm}: does not decode"));
            continue;
        };
        apply_fpcr(fpcr);
        (op.exec)(&mut c, &op, &[]);
        apply_fpcr(0);
        for &(r, want) in x_out {
            if c.x[r as usize] != want {
                bad.push(format!("{asm}: x{r} = {:#x}, want {want:#x}", c.x[r as usize]));
            }
        }
        for &(r, want) in v_out {
            if c.v[r as usize] != want {
                bad.push(format!("{asm}: v{r} = {:#x}, want {want:#x}", c.v[r as usize]));
            }
        }
        if let Some(want) = fpsr.filter(|&w| w != c.fpsr) {
            bad.push(format!("{asm}: fpsr = {:#x}, want {want:#x}", c.fpsr));
        }
        if let Some(want) = nzcv_out.filter(|&w| w != c.nzcv) {
            bad.push(format!("{asm}: nzcv = {:#x}, want {want:#x}", c.nzcv));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
