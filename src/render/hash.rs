//! A fast hasher for the maps a build fills per page and per term: keys
//! that are already well spread (search terms packed or hashed: each
//! page's term weights, the index's postings) or that only this build ever
//! sees (the tables' shapes). No map it serves is
//! iterated in an order that reaches the output, and no key comes from a
//! visitor, so the default hasher's resistance to chosen keys buys nothing
//! here: it was a tenth of reading a page for the search index.

use std::hash::{BuildHasherDefault, Hasher};

/// A multiply-and-rotate hasher (in the manner of rustc's FxHasher).
#[derive(Default)]
pub struct FastHasher(u64);

/// For `HashMap<K, V, FastHash>`.
pub type FastHash = BuildHasherDefault<FastHasher>;

const K: u64 = 0x9E37_79B9_7F4A_7C15;

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        // hashbrown takes its control bits from the top and its bucket
        // from the bottom: fold the well-mixed top half down.
        self.0 ^ (self.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.add(word);
    }

    fn write_usize(&mut self, word: usize) {
        self.add(word as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Keys alike but for their high or low bits (the packed pairs of
    /// the search terms) still land in a map and are found again.
    #[test]
    fn packed_keys_spread_and_are_found() {
        let mut map: HashMap<u64, u32, FastHash> = HashMap::default();
        for a in 0x4E00u64..0x4E40 {
            for b in 0x4E00u64..0x4E40 {
                map.insert((1 << 54) | (a << 21) | b, (a * 1000 + b) as u32);
            }
        }
        assert_eq!(map.len(), 64 * 64);
        assert_eq!(
            map[&((1 << 54) | (0x4E10 << 21) | 0x4E3F)],
            (0x4E10 * 1000 + 0x4E3F) as u32
        );
    }
}
