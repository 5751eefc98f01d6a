//! MurmurHash3 x64 128-bit (Austin Appleby's reference, seed 0), the hash
//! UnixFS HAMT shards place names by: multihash `murmur3-x64-64` (0x22) is
//! the first 64 bits of it, as @multiformats/murmur3 computes them.

const C1: u64 = 0x87c3_7b91_1142_53d5;
const C2: u64 = 0x4cf5_ad43_2745_937f;

/// The 128-bit hash with seed 0, as 16 bytes: `h1` then `h2`, each
/// big-endian, which is how @multiformats/murmur3 writes it.
pub fn murmur3_x64_128(key: &[u8]) -> [u8; 16] {
    let (mut h1, mut h2) = (0u64, 0u64);
    let mut blocks = key.chunks_exact(16);
    for block in &mut blocks {
        let k1 = u64::from_le_bytes(block[..8].try_into().expect("8 bytes"));
        let k2 = u64::from_le_bytes(block[8..].try_into().expect("8 bytes"));

        h1 ^= mix_k1(k1);
        h1 = h1.rotate_left(27).wrapping_add(h2);
        h1 = h1.wrapping_mul(5).wrapping_add(0x52dc_e729);

        h2 ^= mix_k2(k2);
        h2 = h2.rotate_left(31).wrapping_add(h1);
        h2 = h2.wrapping_mul(5).wrapping_add(0x3849_5ab5);
    }

    // The tail: up to 15 bytes, read little-endian into k1 (bytes 0..8)
    // and k2 (bytes 8..15), each mixed only if it got any.
    let tail = blocks.remainder();
    let little_endian = |bytes: &[u8]| {
        bytes
            .iter()
            .rev()
            .fold(0u64, |value, byte| (value << 8) | u64::from(*byte))
    };
    if tail.len() > 8 {
        h2 ^= mix_k2(little_endian(&tail[8..]));
    }
    if !tail.is_empty() {
        h1 ^= mix_k1(little_endian(&tail[..tail.len().min(8)]));
    }

    let length = key.len() as u64;
    h1 ^= length;
    h2 ^= length;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);

    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&h1.to_be_bytes());
    out[8..].copy_from_slice(&h2.to_be_bytes());
    out
}

/// `murmur3-x64-64`: the first 8 bytes of [`murmur3_x64_128`].
pub fn murmur3_x64_64(key: &[u8]) -> [u8; 8] {
    let full = murmur3_x64_128(key);
    full[..8].try_into().expect("16 bytes hold 8")
}

fn mix_k1(k1: u64) -> u64 {
    k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2)
}

fn mix_k2(k2: u64) -> u64 {
    k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1)
}

fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// Vectors from @multiformats/murmur3 2.2.8 (the one @ipld/unixfs 3.0.0
    /// hashes with), run in node: `murmur3128.encode` / `murmur364.encode`.
    #[test]
    fn text_matches_the_reference() {
        let vectors = [
            ("", "00000000000000000000000000000000"),
            ("a", "85555565f6597889e6b53a48510e895a"),
            ("abc", "b4963f3f3fad78673ba2744126ca2d52"),
            ("hello world", "533f6046eb7f610eab97467d60eb63b1"),
            ("ünïcødé 🎨.png", "78b60bde4f15c37a9f86088dbfc42c2c"),
            (
                "The quick brown fox jumps over the lazy dog",
                "e34bbc7bbc071b6c7a433ca9c49a9347",
            ),
        ];
        for (text, expected) in vectors {
            assert_eq!(hex(&murmur3_x64_128(text.as_bytes())), expected, "{text:?}");
            assert_eq!(
                hex(&murmur3_x64_64(text.as_bytes())),
                expected[..16],
                "{text:?}"
            );
        }
    }

    /// Every tail length, with bytes of 0x80 and above (which a sign slip
    /// in a port would get wrong): byte i is `(i * 37 + 200) mod 256`.
    #[test]
    fn every_tail_length_matches_the_reference() {
        let expected = [
            "00000000000000000000000000000000",
            "a46bd16248e551c30576fa7f1e47c1f6",
            "e3304859fea69b98577c63caa7f6111f",
            "1992c2c31158994d143caefcd93db752",
            "41bff0560ab0f92c9835febe0267099a",
            "183680d3a1474632f724033002ac961b",
            "27a4dff7f4cce6a98e596b2971a1a715",
            "cf7b85bf8584968d8620290c2702e00b",
            "8c77ad3171d401d808fba2669a9bf14b",
            "efc048af822f9d547000ebb5eeced296",
            "ed12443dc33f2dc65e59cf18ebaee7b0",
            "1b496dd0a682698a6d7b3711672dbe58",
            "1136832c61247ef8274b50fc6b3cf3dd",
            "e630146d9dc7d0222fa13e398d9d4907",
            "208aae7e1f6f34e765706f64f299e628",
            "1237ca845d4c1800a173c723df24bf12",
            "015deb6369b72afb380ec9c7fc76a585",
            "067f69ffe052646e77c57f2161e28472",
            "b52a5242afb4d50b8f7990661df6c984",
            "5593143fd05b4de23fda36a9d8f2a6e2",
            "abd939555a067bf22f247a53b94ad1f2",
            "f53f451fda48c62b141f1a4bb831553e",
            "d2db9b951d9c3a551469f46cd876b470",
            "6243d84e98142aa42a59653c61ad080c",
            "8073d71cf8f630eeeb8f8d3896b4f624",
            "cb68d2f26fddbbf9fe42691798b0f277",
            "d9e854609b5fd691cc5ff0948a619290",
            "9dd3449798ce90dd1401e3015c094e64",
            "4769b5791d1003b0903c56c35be99e06",
            "0621fa9baf2ff8c60f49e8b4b4793197",
            "e770e91419644dbdef4ed352dc499d1e",
            "b01845ebc1e4df7c55a9a2cbf08f22c7",
            "5fcf6f12a39e0ca6a549c05a65d5d43b",
            "ed93e0c56ea3a76400d1cc1cf7c58d63",
        ];
        for (length, expected) in expected.iter().enumerate() {
            let key: Vec<u8> = (0..length).map(|i| (i * 37 + 200) as u8).collect();
            assert_eq!(hex(&murmur3_x64_128(&key)), *expected, "length {length}");
        }
    }
}
