//! CRC32 and CRC32C as the CRC32B/H/W/X and CRC32CB/H/W/X instructions compute
//! them: bit-reflected, no initial or final inversion. Table-driven (the
//! portable way to the speed of the host's own CRC instruction, which would
//! need `unsafe` outside the guest-memory boundary).

/// The reflected polynomials of CRC32 and CRC32C.
const CRC32_POLY: u32 = 0xedb8_8320;
const CRC32C_POLY: u32 = 0x82f6_3b78;

/// Slicing-by-8 tables: `[0]` is the CRC of each byte value (eight steps of the
/// bitwise definition at once), `[k]` that of the byte followed by k zero bytes.
const fn crc_tables(poly: u32) -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ poly } else { c >> 1 };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

static CRC32_TABLES: [[u32; 256]; 8] = crc_tables(CRC32_POLY);
static CRC32C_TABLES: [[u32; 256]; 8] = crc_tables(CRC32C_POLY);

/// `crc` updated with the low `nbytes` bytes of `data`. Four or eight bytes
/// take one independent table lookup each (the CRC is all consumed), fewer a
/// chain of byte steps.
pub fn update<const C: bool>(crc: u32, data: u64, nbytes: usize) -> u32 {
    if C {
        if let Some(r) = crate::hostcrypto::crc32c(crc, data, nbytes) {
            return r;
        }
    }
    table_update::<C>(crc, data, nbytes)
}

/// [`update`] by the tables (CRC32 always; CRC32C on a host without SSE4.2).
fn table_update<const C: bool>(mut crc: u32, data: u64, nbytes: usize) -> u32 {
    let t = if C { &CRC32C_TABLES } else { &CRC32_TABLES };
    if nbytes >= 4 {
        let v = crc as u64 ^ data;
        return (0..nbytes).fold(0, |r, i| r ^ t[nbytes - 1 - i][(v >> (8 * i)) as u8 as usize]);
    }
    for i in 0..nbytes {
        crc = (crc >> 8) ^ t[0][((crc ^ (data >> (8 * i)) as u32) & 0xff) as usize];
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The manual's bitwise definition.
    fn crc32_bitwise(poly: u32, mut crc: u32, data: u64, nbytes: usize) -> u32 {
        for i in 0..nbytes {
            crc ^= (data >> (8 * i)) as u8 as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ poly } else { crc >> 1 };
            }
        }
        crc
    }

    #[test]
    fn crc32_tables_match_the_bitwise_definition() {
        // The check values of CRC-32 and CRC-32C over "123456789" (with the usual
        // initial and final inversion, which the instructions leave to software).
        let check = |f: fn(u32, u64, usize) -> u32| !b"123456789".iter().fold(!0, |c, &b| f(c, b as u64, 1));
        assert_eq!(check(update::<false>), 0xcbf4_3926);
        assert_eq!(check(update::<true>), 0xe306_9283);
        // The tables too where CRC32C runs on the host's instruction.
        assert_eq!(check(table_update::<true>), 0xe306_9283);
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for n in [1, 2, 4, 8] {
                let crc = (x >> 17) as u32;
                assert_eq!(update::<false>(crc, x, n), crc32_bitwise(CRC32_POLY, crc, x, n));
                assert_eq!(update::<true>(crc, x, n), crc32_bitwise(CRC32C_POLY, crc, x, n));
                assert_eq!(table_update::<true>(crc, x, n), crc32_bitwise(CRC32C_POLY, crc, x, n));
            }
        }
    }
}
