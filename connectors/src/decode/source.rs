//! The byte source under every decoder: counting what was read, and spooling to a temporary
//! file for the formats that need random access.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Error;

/// A shared count of the bytes read from the source, for [`super::RowDecoder::bytes_read`].
///
/// It is shared (not a plain field) because the reader that counts is buried inside the CSV
/// or JSON reader stack, while the decoder on top reports it.
#[derive(Debug, Clone, Default)]
pub(crate) struct ByteCounter(Arc<AtomicU64>);

impl ByteCounter {
    /// Bytes counted so far.
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Counts `n` more bytes.
    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
}

/// A reader that counts the bytes it passes on.
pub(crate) struct CountingReader<R> {
    inner: R,
    counter: ByteCounter,
}

impl<R: Read> CountingReader<R> {
    /// Wraps `inner`, counting into a new counter.
    pub(crate) fn new(inner: R) -> CountingReader<R> {
        CountingReader {
            inner,
            counter: ByteCounter::default(),
        }
    }

    /// The counter this reader adds to.
    pub(crate) fn counter(&self) -> ByteCounter {
        self.counter.clone()
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.add(n as u64);
        Ok(n)
    }
}

/// Copies a source into an anonymous temporary file and rewinds it.
///
/// Parquet (footer at the end) and XLSX (a zip: central directory at the end) need random
/// access, which a network body or a pipe does not give. The file lives in the system temp
/// directory and disappears when the decoder is dropped; disk, not memory, holds the copy.
pub(crate) fn spool(source: &mut dyn Read, counter: &ByteCounter) -> Result<File, Error> {
    let temp_dir = std::env::temp_dir();
    let mut file = tempfile::tempfile().map_err(|source| Error::Io {
        path: temp_dir.clone(),
        source,
    })?;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match source.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(Error::SourceRead {
                    offset: counter.get(),
                    source,
                });
            }
        };
        counter.add(n as u64);
        io::Write::write_all(&mut file, &buf[..n]).map_err(|source| Error::Io {
            path: temp_dir.clone(),
            source,
        })?;
    }
    file.seek(SeekFrom::Start(0)).map_err(|source| Error::Io {
        path: temp_dir,
        source,
    })?;
    Ok(file)
}
