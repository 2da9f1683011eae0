import TapeFormat

/// What a `TapeReader` learned when it opened a file (path, size, decoded footer, format version),
/// without its open file or buffers: a `Sendable` value from which any thread can open another
/// reader of the same file without reading the footer again (`TapeReader(reopening:)`).
public struct OpenedTape: Sendable {
    public let path: String
    public let fileSize: Int
    public let footer: Footer
    public let footerOffset: Int
    public let options: ReaderOptions
    public let isSealed: Bool
    public let formatMinorVersion: UInt16
    /// The file the reader read (a duplicate of its descriptor), so that a reopened reader reads
    /// that file even if a compaction has since renamed another over `path`; nil if it could not
    /// be duplicated (then `path` is opened again).
    let descriptor: SharedDescriptor?
}

extension OpenedTape {
    /// The same state without the duplicated descriptor, to keep many files' footers without
    /// holding a descriptor for each: a reader reopening it opens `path` again (and fails with
    /// `TapeError.invalidArgument` if the file's size has changed since).
    public var detached: OpenedTape {
        OpenedTape(path: path, fileSize: fileSize, footer: footer, footerOffset: footerOffset, options: options,
                   isSealed: isSealed, formatMinorVersion: formatMinorVersion, descriptor: nil)
    }
}

extension TapeReader {
    /// This reader's opened state, to reopen the file elsewhere.
    public var opened: OpenedTape {
        OpenedTape(path: path, fileSize: fileSize, footer: footer, footerOffset: footerOffset, options: options,
                   isSealed: isSealed, formatMinorVersion: formatMinorVersion, descriptor: try? file.shared())
    }

    /// Another reader of the file `other` reads, sharing its decoded footer (see
    /// `init(reopening:options:)` taking an `OpenedTape`).
    public convenience init(reopening other: TapeReader, options: ReaderOptions? = nil) throws {
        try self.init(reopening: other.opened, options: options)
    }
}
