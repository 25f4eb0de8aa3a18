//! The plumbing of the location store's streamed reads: a read runs on a
//! task of its own and hands its chunks to a stream, one at a time, so that
//! memory stays bounded however much it reads. A read holds a pooled
//! connection until it ends, and some go at the pace of a client who may
//! stop reading: the sending side gives up once its reader has taken
//! nothing for a while, and the stream then ends with an error rather than
//! looking complete.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use futures::{StreamExt, stream::BoxStream};
use tokio::sync::mpsc;

use crate::StorageError;

/// How long a streamed read waits for its reader to take a chunk before it
/// stops and gives its connection back, unless the store is told otherwise:
/// far longer than any reader that is still reading pauses, short enough
/// that clients who stopped reading cannot keep the connections for long.
pub(crate) const DEFAULT_STALL_LIMIT: Duration = Duration::from_secs(30);

/// How long a streamed read holds its connection, which decides the
/// permits it waits for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ReadLength {
    /// A contact search's reader: a bounded span around one person's
    /// pings, taken as fast as the search's matching goes.
    Bounded,
    /// A connection search, an export or an attendance rebuild: as long as
    /// its client takes to take the answer, or the whole event to be read.
    /// A few of these at a slow client's pace must not hold every
    /// connection the contact searches read with.
    Unbounded,
}

impl ReadLength {
    fn label(self) -> &'static str {
        match self {
            ReadLength::Bounded => "bounded",
            ReadLength::Unbounded => "unbounded",
        }
    }
}

/// A streamed read counted in the `location_reads_waiting` gauge for as
/// long as it waits for its permits: reads that keep waiting tell an
/// operator the locations pool is too small for the searches and exports
/// asked of it.
pub(crate) struct WaitingRead(ReadLength);

impl WaitingRead {
    pub(crate) fn new(length: ReadLength) -> Self {
        Self::gauge(length).increment(1.0);
        Self(length)
    }

    fn gauge(length: ReadLength) -> metrics::Gauge {
        metrics::gauge!("location_reads_waiting", "length" => length.label())
    }
}

impl Drop for WaitingRead {
    fn drop(&mut self) {
        Self::gauge(self.0).decrement(1.0);
    }
}

/// The sending side of a streamed read.
pub(crate) struct ReadSender<T> {
    sender: mpsc::Sender<Result<T, StorageError>>,
    length: ReadLength,
    stall_limit: Duration,
    /// Set when the reader stalled, for the stream to end with
    /// [`StorageError::ReaderStalled`] once it has taken what was sent.
    stalled: Arc<AtomicBool>,
}

impl<T> ReadSender<T> {
    /// Hands `item` to the reader; false once the reader has gone, or has
    /// taken nothing for the stall limit, which tells the read to stop.
    pub(crate) async fn send(&self, item: Result<T, StorageError>) -> bool {
        match tokio::time::timeout(self.stall_limit, self.sender.send(item)).await {
            Ok(sent) => sent.is_ok(),
            Err(_) => {
                self.stalled.store(true, Ordering::Release);
                metrics::counter!("location_reads_stalled_total", "length" => self.length.label())
                    .increment(1);
                tracing::warn!(
                    stall_limit = ?self.stall_limit,
                    "a streamed read's reader took nothing; stopping the read to free its connection"
                );
                false
            }
        }
    }

    /// Whether the reader has gone, so that there is nothing to read for.
    pub(crate) fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }

    /// Completes once the reader has gone.
    pub(crate) async fn closed(&self) {
        self.sender.closed().await;
    }
}

/// A channel for one streamed read: the sending side for the read's task,
/// and the stream its caller reads, holding one item at most. The stream
/// ends when the read does, with [`StorageError::ReaderStalled`] after the
/// last item if the read stopped because nothing was taken.
pub(crate) fn read_channel<T: Send + 'static>(
    length: ReadLength,
    stall_limit: Duration,
) -> (ReadSender<T>, BoxStream<'static, Result<T, StorageError>>) {
    let (sender, receiver) = mpsc::channel(1);
    let stalled = Arc::new(AtomicBool::new(false));
    let read_sender = ReadSender {
        sender,
        length,
        stall_limit,
        stalled: stalled.clone(),
    };
    let stream = futures::stream::unfold(receiver, move |mut receiver| {
        let stalled = stalled.clone();
        async move {
            match receiver.recv().await {
                Some(item) => Some((item, receiver)),
                // Every sender is gone, so the flag is final; taken, so
                // the error is the stream's last item.
                None if stalled.swap(false, Ordering::Acquire) => {
                    Some((Err(StorageError::ReaderStalled { stall_limit }), receiver))
                }
                None => None,
            }
        }
    });
    (read_sender, stream.boxed())
}

/// What a stream of chunks hands on: items gathered up to a size.
pub(crate) trait Chunk: Send + 'static {
    fn with_capacity(capacity: usize) -> Self;
    fn len(&self) -> usize;
}

impl<T: Send + 'static> Chunk for Vec<T> {
    fn with_capacity(capacity: usize) -> Self {
        Vec::with_capacity(capacity)
    }

    fn len(&self) -> usize {
        self.len()
    }
}

/// The sending side of a streamed read of chunks: gathers items and sends
/// each chunk on once it holds `size` or more.
pub(crate) struct Chunker<C: Chunk> {
    sender: ReadSender<C>,
    chunk: C,
    size: usize,
}

impl<C: Chunk> Chunker<C> {
    pub(crate) fn new(sender: ReadSender<C>, size: usize) -> Self {
        let size = size.max(1);
        Self {
            sender,
            chunk: C::with_capacity(size),
            size,
        }
    }

    /// The chunk being gathered, to add items to.
    pub(crate) fn chunk(&mut self) -> &mut C {
        &mut self.chunk
    }

    /// Sends the chunk on if it is full; false once the reader has gone or
    /// stalled, which tells the producer to stop.
    pub(crate) async fn send_if_full(&mut self) -> bool {
        if self.chunk.len() < self.size {
            return true;
        }
        let full = std::mem::replace(&mut self.chunk, C::with_capacity(self.size));
        self.sender.send(Ok(full)).await
    }

    /// Ends the stream with `error`; the items gathered are not sent.
    pub(crate) async fn fail(self, error: StorageError) {
        self.sender.send(Err(error)).await;
    }

    /// Ends the stream, sending the last chunk if it holds anything.
    pub(crate) async fn finish(self) {
        if self.chunk.len() > 0 {
            self.sender.send(Ok(self.chunk)).await;
        }
    }
}
