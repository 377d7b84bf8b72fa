//! Random numbers and byte mutations: the blind half of a fuzzer, without instrumentation, so
//! that it runs on stable Rust. The targets make up for the missing coverage feedback by
//! starting from valid inputs and by dictionaries of the tokens their parsers care about.

/// xorshift64*: fast, good enough to pick mutations, reproducible from its seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 for n = 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }
}

/// Bytes that make parsers take another path: delimiters, quotes, line ends, XML and JSON
/// syntax, control characters, numbers at the edges, long runs.
pub const COMMON_TOKENS: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b";",
    b",",
    b"\n",
    b"\r\n",
    b"\r",
    b"\t",
    b"\0",
    b"\x01",
    b"\x7f",
    b"\xc2\x85",
    b"\xef\xbf\xbf",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"=1+1",
    b"'",
    b"%00",
    b"%",
    b"&",
    b"<",
    b">",
    b"&amp;",
    b"&#0;",
    b"&#x1;",
    b"<![CDATA[",
    b"]]>",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"null",
    b"true",
    b"-1",
    b"0",
    b"1e308",
    b"-0.0",
    b"NaN",
    b"4294967296",
    b"18446744073709551616",
    b"99999999999999999999999",
    b"2026-02-30",
    b"31.12.9999",
    b"XFD1048576",
    b"1048576",
    b"\xe1\x8a\xa0\xe1\x88\x9b",
    b"\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a",
    b"\xe4\xb8\xad\xe6\x96\x87",
    b"\xf0\x9f\x98\x80",
    b"\xcc\x81",
    b"\xe2\x80\xae",
];

/// Mutates `data` in place 1–4 times, keeping it at most `max_len` bytes long.
pub fn mutate(
    rng: &mut Rng,
    data: &mut Vec<u8>,
    tokens: &[&[u8]],
    others: &[Vec<u8>],
    max_len: usize,
) {
    for _ in 0..=rng.below(4) {
        let len = data.len();
        match rng.below(11) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                let n = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                data.splice(i..i, bytes);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                data.drain(i..i + n);
            }
            4 if len > 0 => {
                // Duplicate a range: rows, cells and elements repeated.
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(256));
                let copy = data[i..i + n].to_vec();
                let at = rng.below(len + 1);
                data.splice(at..at, copy);
            }
            5 | 6 => {
                let token = rng.pick(tokens).or_else(|| rng.pick(COMMON_TOKENS));
                if let Some(token) = token {
                    let i = rng.below(len + 1);
                    data.splice(i..i, token.iter().copied());
                }
            }
            7 => {
                if let Some(token) = rng.pick(COMMON_TOKENS) {
                    let i = rng.below(len + 1);
                    data.splice(i..i, token.iter().copied());
                }
            }
            8 => {
                // Splice: the head of this input, the tail of another.
                if let Some(other) = rng.pick(others) {
                    let cut = rng.below(len + 1);
                    let from = rng.below(other.len() + 1);
                    data.truncate(cut);
                    data.extend_from_slice(&other[from..]);
                }
            }
            9 if len > 0 => {
                let cut = rng.below(len);
                data.truncate(cut);
            }
            10 if len > 0 => {
                // A chunk repeated many times: the inputs whose cost grows with their size.
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(32));
                let chunk = data[i..i + n].to_vec();
                let times = 1 + rng.below(2_000);
                for _ in 0..times {
                    if data.len() + chunk.len() > max_len {
                        break;
                    }
                    data.extend_from_slice(&chunk);
                }
            }
            _ => {}
        }
    }
    data.truncate(max_len);
}
