//! Streaming text decoding: UTF-8, GBK or GB18030 bytes in, UTF-8 out, with detection.
//!
//! Enterprises export CSV from Chinese-locale Excel in GBK, from newer tools in UTF-8 with or
//! without a byte-order mark. [`TextReader`] turns any of them into UTF-8 as it reads, a chunk
//! at a time, so a 5 GB export never has to be in memory. Bytes that are not valid in the
//! encoding are an error naming their offset and line: replacing them with U+FFFD would put
//! silently corrupted names and numbers into the lake.

use std::fmt;
use std::io::{self, Read};

use super::options::TextEncoding;
use crate::error::Error;

/// How much raw input is read at a time.
const CHUNK_BYTES: usize = 64 * 1024;

/// How much non-ASCII text detection looks at before deciding.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;

/// The UTF-8 byte-order mark.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bytes that are not valid text: the payload of the `io::Error` a [`TextReader`] returns,
/// turned back into [`Error::Encoding`] by the decoder that called it.
#[derive(Debug, Clone)]
pub(crate) struct MalformedText {
    encoding: String,
    offset: u64,
    line: u64,
    reason: String,
}

impl MalformedText {
    /// The crate error this stands for.
    pub(crate) fn into_error(self) -> Error {
        Error::Encoding {
            encoding: self.encoding,
            offset: self.offset,
            line: self.line,
            reason: self.reason,
        }
    }

    /// Finds a `MalformedText` inside an I/O error returned through a reader stack.
    pub(crate) fn from_io(error: io::Error) -> Result<MalformedText, io::Error> {
        if error
            .get_ref()
            .is_some_and(|inner| inner.is::<MalformedText>())
        {
            match error
                .into_inner()
                .map(|inner| inner.downcast::<MalformedText>())
            {
                Some(Ok(malformed)) => Ok(*malformed),
                // Unreachable after the `is` check; rebuild a plain error rather than panic.
                _ => Err(io::Error::new(io::ErrorKind::InvalidData, "malformed text")),
            }
        } else {
            Err(error)
        }
    }
}

impl fmt::Display for MalformedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not valid {} text: {} at byte offset {} (line {})",
            self.encoding, self.reason, self.offset, self.line
        )
    }
}

impl std::error::Error for MalformedText {}

enum State {
    /// Nothing read yet: a byte-order mark may come.
    Start,
    /// No encoding declared and only ASCII seen so far, which reads the same in all of them.
    Undecided,
    /// Decoding with a known encoding.
    Decoding {
        decoder: encoding_rs::Decoder,
        encoding: TextEncoding,
        /// How the encoding was chosen, for error messages.
        how: &'static str,
    },
    /// The input is exhausted and all output handed out.
    Done,
}

/// A `Read` adapter that decodes text in a declared or detected encoding into UTF-8.
pub(crate) struct TextReader<R> {
    inner: R,
    declared: Option<TextEncoding>,
    state: State,
    /// Raw input; `raw[raw_pos..]` is not decoded yet.
    raw: Vec<u8>,
    raw_pos: usize,
    raw_eof: bool,
    /// Decoded output; `out[out_pos..out_len]` is not handed out yet.
    out: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    /// Source bytes before `raw[raw_pos]`, for error offsets.
    consumed: u64,
    /// Newlines before `raw[raw_pos]`, for error line numbers.
    newlines: u64,
    /// The encoding chosen, once known.
    chosen: Option<TextEncoding>,
    /// Bad bytes met: handed out as an error once the text before them has been read, and
    /// again on every later read (the stream cannot go on past them).
    failed: Option<MalformedText>,
}

impl<R: Read> TextReader<R> {
    /// Decodes `inner` as `declared`, or detects the encoding when `None`.
    pub(crate) fn new(inner: R, declared: Option<TextEncoding>) -> TextReader<R> {
        TextReader {
            inner,
            declared,
            state: State::Start,
            raw: Vec::with_capacity(CHUNK_BYTES),
            raw_pos: 0,
            raw_eof: false,
            out: vec![0; CHUNK_BYTES],
            out_pos: 0,
            out_len: 0,
            consumed: 0,
            newlines: 0,
            chosen: None,
            failed: None,
        }
    }

    /// The encoding in use, once known.
    #[cfg(test)]
    pub(crate) fn encoding(&self) -> Option<TextEncoding> {
        self.chosen
    }

    fn pending(&self) -> &[u8] {
        &self.raw[self.raw_pos..]
    }

    /// Reads more raw input, keeping what is pending; returns false at the end of the source.
    fn read_more(&mut self) -> io::Result<bool> {
        if self.raw_eof {
            return Ok(false);
        }
        if self.raw_pos > 0 {
            self.raw.drain(..self.raw_pos);
            self.raw_pos = 0;
        }
        let start = self.raw.len();
        self.raw.resize(start + CHUNK_BYTES, 0);
        let n = loop {
            match self.inner.read(&mut self.raw[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.raw.truncate(start);
                    return Err(e);
                }
            }
        };
        self.raw.truncate(start + n);
        if n == 0 {
            self.raw_eof = true;
        }
        Ok(n > 0)
    }

    /// Reads until at least `want` bytes are pending or the source ends.
    fn read_at_least(&mut self, want: usize) -> io::Result<()> {
        while self.pending().len() < want && self.read_more()? {}
        Ok(())
    }

    /// Marks `n` pending bytes as consumed.
    fn advance(&mut self, n: usize) {
        let taken = &self.raw[self.raw_pos..self.raw_pos + n];
        self.newlines += count_newlines(taken);
        self.consumed += n as u64;
        self.raw_pos += n;
    }

    /// Hands `n` pending bytes to the output unchanged (ASCII is the same in every encoding).
    fn pass_through(&mut self, n: usize) {
        let n = n.min(self.out.len());
        self.out[..n].copy_from_slice(&self.raw[self.raw_pos..self.raw_pos + n]);
        self.out_pos = 0;
        self.out_len = n;
        self.advance(n);
    }

    fn start_decoding(&mut self, encoding: TextEncoding, how: &'static str) {
        self.chosen = Some(encoding);
        self.state = State::Decoding {
            // The byte-order mark is handled in `State::Start`; past it, the declared or
            // detected encoding is followed to the letter.
            decoder: encoding.codec().new_decoder_without_bom_handling(),
            encoding,
            how,
        };
    }

    fn malformed(&mut self, encoding: String, offset: u64, line: u64, reason: String) {
        self.failed = Some(MalformedText {
            encoding,
            offset,
            line,
            reason,
        });
    }

    /// UTF-8 needs checking, not converting: the standard library's validator does it (and is
    /// much faster than a decoder in unoptimised test builds).
    fn fill_utf8(&mut self, how: &'static str) -> io::Result<()> {
        if self.pending().is_empty() && !self.read_more()? {
            self.state = State::Done;
            return Ok(());
        }
        let take = self.pending().len().min(self.out.len());
        let (valid, bad) = match std::str::from_utf8(&self.pending()[..take]) {
            Ok(_) => (take, None),
            Err(e) => (e.valid_up_to(), e.error_len()),
        };
        if valid > 0 {
            self.out[..valid].copy_from_slice(&self.raw[self.raw_pos..self.raw_pos + valid]);
            self.out_pos = 0;
            self.out_len = valid;
            self.advance(valid);
            return Ok(());
        }
        let what = match bad {
            // A character cut by the end of what was read: read on.
            None if !self.raw_eof => {
                self.read_more()?;
                return Ok(());
            }
            None => "a character is cut off by the end of the source".to_string(),
            Some(len) => format!(
                "bytes [{}] do not form a character",
                self.pending()[..len]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        };
        let hint = if self.declared.is_none() {
            "; declare the encoding (--encoding utf-8, gbk or gb18030)"
        } else {
            "; is it GBK or GB18030 (--encoding gb18030)?"
        };
        let (offset, line) = (self.consumed, self.newlines + 1);
        self.malformed(
            format!("{} ({how})", TextEncoding::Utf8),
            offset,
            line,
            format!("{what}{hint}"),
        );
        Ok(())
    }

    /// Produces the next piece of output (or reaches `Done`).
    fn fill(&mut self) -> io::Result<()> {
        match &mut self.state {
            State::Done => Ok(()),
            State::Start => {
                self.read_at_least(UTF8_BOM.len())?;
                let pending = self.pending();
                if pending.starts_with(UTF8_BOM) {
                    // A byte-order mark is unambiguous, so it wins over a declared encoding:
                    // GBK-decoding a UTF-8 file would turn every Chinese character into two
                    // wrong ones without any error.
                    self.advance(UTF8_BOM.len());
                    self.start_decoding(TextEncoding::Utf8, "from its byte-order mark");
                } else if pending.starts_with(b"\xFF\xFE") || pending.starts_with(b"\xFE\xFF") {
                    self.malformed(
                        "UTF-8, GBK or GB18030".to_string(),
                        0,
                        1,
                        "the source starts with a UTF-16 byte-order mark and UTF-16 is not \
                         supported; save it as UTF-8"
                            .to_string(),
                    );
                } else if let Some(declared) = self.declared {
                    self.start_decoding(declared, "as declared");
                } else {
                    self.state = State::Undecided;
                }
                Ok(())
            }
            State::Undecided => {
                if self.pending().is_empty() && !self.read_more()? {
                    self.state = State::Done;
                    return Ok(());
                }
                match self.pending().iter().position(|&b| b >= 0x80) {
                    None => {
                        let n = self.pending().len();
                        self.pass_through(n);
                    }
                    Some(0) => {
                        // The first non-ASCII byte: look at up to 64 KiB of text from here.
                        self.read_at_least(SNIFF_BYTES)?;
                        let window = &self.pending()[..self.pending().len().min(SNIFF_BYTES)];
                        let utf8 = match std::str::from_utf8(window) {
                            Ok(_) => true,
                            // Cut in the middle of a character by the window's end: fine.
                            Err(e) => e.error_len().is_none() && window.len() == SNIFF_BYTES,
                        };
                        if utf8 {
                            self.start_decoding(
                                TextEncoding::Utf8,
                                "detected from the first 64 KiB of non-ASCII text",
                            );
                        } else {
                            self.start_decoding(
                                TextEncoding::Gb18030,
                                "detected: the first 64 KiB of non-ASCII text is not UTF-8",
                            );
                        }
                    }
                    Some(k) => self.pass_through(k),
                }
                Ok(())
            }
            State::Decoding {
                encoding: TextEncoding::Utf8,
                how,
                ..
            } => {
                let how = *how;
                self.fill_utf8(how)
            }
            State::Decoding { .. } => {
                if self.pending().is_empty() {
                    self.read_more()?;
                }
                let last = self.raw_eof;
                let State::Decoding {
                    decoder,
                    encoding,
                    how,
                } = &mut self.state
                else {
                    return Ok(());
                };
                let (result, read, written) = decoder.decode_to_utf8_without_replacement(
                    &self.raw[self.raw_pos..],
                    &mut self.out,
                    last,
                );
                let (encoding, how) = (*encoding, *how);
                self.out_pos = 0;
                self.out_len = written;
                match result {
                    encoding_rs::DecoderResult::InputEmpty => {
                        self.advance(read);
                        if last {
                            self.state = State::Done;
                        }
                        Ok(())
                    }
                    encoding_rs::DecoderResult::OutputFull => {
                        self.advance(read);
                        Ok(())
                    }
                    encoding_rs::DecoderResult::Malformed(bad_len, after) => {
                        // The bad sequence ends `after` bytes before the end of what was read;
                        // it may have started in an earlier chunk.
                        let bad_end = read - usize::from(after);
                        let bad_start_in_chunk = bad_end.saturating_sub(usize::from(bad_len));
                        let chunk = &self.raw[self.raw_pos..];
                        let offset =
                            (self.consumed + bad_end as u64).saturating_sub(u64::from(bad_len));
                        let line = self.newlines + count_newlines(&chunk[..bad_start_in_chunk]) + 1;
                        let bytes = chunk[bad_start_in_chunk..bad_end]
                            .iter()
                            .map(|b| format!("{b:02x}"))
                            .collect::<Vec<_>>()
                            .join(" ");
                        let hint = match (encoding, self.declared) {
                            (_, None) => {
                                "; declare the encoding (--encoding utf-8, gbk or \
                                          gb18030)"
                            }
                            (TextEncoding::Utf8, Some(_)) => {
                                "; is it GBK or GB18030 (--encoding gb18030)?"
                            }
                            (_, Some(_)) => "; is it UTF-8 (--encoding utf-8)?",
                        };
                        let what = if bytes.is_empty() {
                            "a character is cut off by the end of the source".to_string()
                        } else {
                            format!("bytes [{bytes}] do not form a character")
                        };
                        // The text before the bad bytes is good: it is handed out first.
                        self.advance(bad_start_in_chunk);
                        self.malformed(
                            format!("{encoding} ({how})"),
                            offset,
                            line,
                            format!("{what}{hint}"),
                        );
                        Ok(())
                    }
                }
            }
        }
    }
}

impl<R: Read> Read for TextReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out_len {
                let n = buf.len().min(self.out_len - self.out_pos);
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            if let Some(failed) = &self.failed {
                return Err(io::Error::new(io::ErrorKind::InvalidData, failed.clone()));
            }
            if matches!(self.state, State::Done) || buf.is_empty() {
                return Ok(0);
            }
            self.fill()?;
        }
    }
}

/// Counts `\n` bytes eight at a time: this runs over every byte of every source, and the
/// byte-at-a-time loop is slow in unoptimised builds.
pub(crate) fn count_newlines(bytes: &[u8]) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut chunks = bytes.chunks_exact(8);
    let mut count = 0u64;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // Bytes equal to '\n' become zero; a byte's high bit survives below iff it was not.
        let v = u64::from_le_bytes(word) ^ 0x0a0a_0a0a_0a0a_0a0a;
        let nonzero = ((v & LOW7) + LOW7) | v;
        count += u64::from((!nonzero & !LOW7).count_ones());
    }
    count + chunks.remainder().iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use super::*;

    fn decode(
        bytes: &[u8],
        declared: Option<TextEncoding>,
    ) -> Result<(String, Option<TextEncoding>), Error> {
        let mut reader = TextReader::new(bytes, declared);
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .map_err(|e| match MalformedText::from_io(e) {
                Ok(malformed) => malformed.into_error(),
                Err(source) => Error::SourceRead { offset: 0, source },
            })?;
        Ok((text, reader.encoding()))
    }

    #[test]
    fn detects_utf8_gbk_and_bom() {
        let (gbk, _, _) = encoding_rs::GBK.encode("名称,数值\n企业,1\n");
        let (text, enc) = decode(&gbk, None).unwrap();
        assert_eq!(text, "名称,数值\n企业,1\n");
        assert_eq!(enc, Some(TextEncoding::Gb18030));

        let (text, enc) = decode("名称\n".as_bytes(), None).unwrap();
        assert_eq!((text.as_str(), enc), ("名称\n", Some(TextEncoding::Utf8)));

        let (text, enc) = decode(b"\xEF\xBB\xBFa,b\n", Some(TextEncoding::Gbk)).unwrap();
        assert_eq!((text.as_str(), enc), ("a,b\n", Some(TextEncoding::Utf8)));

        let (text, enc) = decode(b"plain ascii\n", None).unwrap();
        assert_eq!((text.as_str(), enc), ("plain ascii\n", None));
    }

    #[test]
    fn late_non_ascii_is_detected_where_it_starts() {
        // 200 KiB of ASCII before the first Chinese character: detection must look there,
        // not at the first 64 KiB of the file.
        let mut text = "a,b\n".repeat(50 * 1024);
        text.push_str("企业,2\n");
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let (decoded, enc) = decode(&gbk, None).unwrap();
        assert_eq!(decoded, text);
        assert_eq!(enc, Some(TextEncoding::Gb18030));
    }

    #[test]
    fn newlines_are_counted_exactly() {
        let text = b"a\nb\n\n\x0b\x8a\n\x0a\x0a\x0a\x0a\x0a\x0a\x0a\x0a\x0a\xff\n";
        for end in 0..text.len() {
            let slow = text[..end].iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!(count_newlines(&text[..end]), slow, "{end}");
        }
    }

    #[test]
    fn invalid_bytes_name_offset_and_line() {
        let err = decode(b"a,b\nc,\xFF\xFEd\n", Some(TextEncoding::Utf8))
            .unwrap_err()
            .to_string();
        assert!(err.contains("byte offset 6"), "{err}");
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("UTF-8 (as declared)"), "{err}");
    }
}
