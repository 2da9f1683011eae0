import Testing
@testable import TapeIO

/// All records of `text` as (line, fields), read with a given block size.
func readAllCSV(_ text: String, blockSize: Int = 256 << 10, delimiter: Character = ",") throws -> [(Int, [String])] {
    let reader = try CSVReader(text: text, delimiter: delimiter.asciiValue!, blockSize: blockSize)
    var out: [(Int, [String])] = []
    while try reader.readRecord() { out.append((reader.recordLine, reader.fields)) }
    return out
}

func csvError(_ text: String, blockSize: Int = 256 << 10) -> TextInputError? {
    do {
        _ = try readAllCSV(text, blockSize: blockSize)
        return nil
    } catch let e as TextInputError {
        return e
    } catch {
        return nil
    }
}

@Suite struct CSVReaderTests {
    static let blockSizes = [4, 5, 7, 64, 256 << 10]

    @Test(arguments: blockSizes)
    func simpleRecordsAndFinalLineWithoutNewline(blockSize: Int) throws {
        let r = try readAllCSV("a,b,c\n1,2,3\n4,5,6", blockSize: blockSize)
        #expect(r.map(\.0) == [1, 2, 3])
        #expect(r.map(\.1) == [["a", "b", "c"], ["1", "2", "3"], ["4", "5", "6"]])
    }

    @Test(arguments: blockSizes)
    func quotedFieldsWithDelimitersQuotesAndNewlines(blockSize: Int) throws {
        let text = "id,note\r\n1,\"a,b\"\r\n2,\"say \"\"hi\"\"\"\r\n3,\"two\nlines\"\r\n4,\"cr\rlf\r\nend\"\r\n5,last\r\n"
        let r = try readAllCSV(text, blockSize: blockSize)
        #expect(r.map(\.1) == [["id", "note"], ["1", "a,b"], ["2", "say \"hi\""], ["3", "two\nlines"],
                               ["4", "cr\rlf\r\nend"], ["5", "last"]])
        // Records after embedded newlines start on the right physical lines.
        #expect(r.map(\.0) == [1, 2, 3, 4, 6, 9])
    }

    @Test(arguments: blockSizes)
    func lineEndingsBlankLinesAndBOM(blockSize: Int) throws {
        let text = "\u{FEFF}x,y\r\n\r\n1,2\r3,4\n\n\n5,6\r\n"
        let r = try readAllCSV(text, blockSize: blockSize)
        #expect(r.map(\.1) == [["x", "y"], ["1", "2"], ["3", "4"], ["5", "6"]])
        #expect(r.map(\.0) == [1, 3, 4, 7])
    }

    @Test func emptyFieldsAndQuotedEmpty() throws {
        let reader = try CSVReader(text: ",\"\",\n,")
        #expect(try reader.readRecord())
        #expect(reader.fields == ["", "", ""])
        #expect(reader.isQuoted(1) && !reader.isQuoted(0) && !reader.isQuoted(2))
        #expect(try reader.readRecord())
        #expect(reader.fields == ["", ""])
        #expect(try !reader.readRecord())
    }

    @Test func otherDelimiterAndUnicode() throws {
        let r = try readAllCSV("a;b\n€;\"x;y\"\n", delimiter: ";")
        #expect(r.map(\.1) == [["a", "b"], ["€", "x;y"]])
    }

    @Test func emptyInput() throws {
        #expect(try readAllCSV("").isEmpty)
        #expect(try readAllCSV("\n\r\n").isEmpty)
        #expect(try readAllCSV("\u{FEFF}").isEmpty)
    }

    @Test(arguments: blockSizes)
    func strayQuoteInUnquotedField(blockSize: Int) throws {
        let e = try #require(csvError("a,b\n1,\"x\"\n22,ab\"c\n", blockSize: blockSize))
        #expect(e == TextInputError(.strayQuote, line: 3, column: 6))
    }

    @Test(arguments: blockSizes)
    func charactersAfterClosingQuote(blockSize: Int) throws {
        let e = try #require(csvError("a,b\n\"multi\nline\"x,2\n", blockSize: blockSize))
        #expect(e == TextInputError(.charactersAfterClosingQuote, line: 3, column: 6))
    }

    @Test(arguments: blockSizes)
    func unterminatedQuoteAtEOF(blockSize: Int) throws {
        let e = try #require(csvError("a,b\n1,2\n3,\"open\n\nmore", blockSize: blockSize))
        #expect(e == TextInputError(.unterminatedQuotedField, line: 3, column: 3))
        #expect(e.description == "line 3, column 3: quoted field is not closed before the end of the input")
    }

    @Test func skipAfterErrorResumesOnNextLine() throws {
        let reader = try CSVReader(text: "a,b\nx\"y,1\n2,3\n\"q\"z\r\n4,5", blockSize: 4)
        var got: [(Int, [String])] = []
        var errors: [TextInputError] = []
        while true {
            do {
                guard try reader.readRecord() else { break }
                got.append((reader.recordLine, reader.fields))
            } catch let e as TextInputError {
                errors.append(e)
                try reader.skipAfterError()
            }
        }
        #expect(got.map(\.1) == [["a", "b"], ["2", "3"], ["4", "5"]])
        #expect(got.map(\.0) == [1, 3, 5])
        #expect(errors.map(\.line) == [2, 4])
    }

    @Test func longRecordGrowsBuffer() throws {
        let big = String(repeating: "x", count: 100_000)
        let r = try readAllCSV("h\n\"\(big)\"\n\(big)\nend\n", blockSize: 1024)
        #expect(r.map(\.1) == [["h"], [big], [big], ["end"]])
        #expect(r.map(\.0) == [1, 2, 3, 4])
    }

    @Test func copyRecordKeepsFields() throws {
        let reader = try CSVReader(text: "\"a\"\"b\",c\n")
        #expect(try reader.readRecord())
        let copy = reader.copyRecord()
        #expect(copy.fields == ["a\"b", "c"])
        #expect(copy.isQuoted(0) && !copy.isQuoted(1))
        #expect(copy.recordLine == 1)
    }

    @Test func rejectsQuoteDelimiter() {
        #expect(throws: TextInputError.self) { try CSVReader(text: "", delimiter: UInt8(ascii: "\"")) }
    }
}
