using System.Buffers;
using System.Text;
using Berth.Fuzz.Targets;
using Berth.Networking.Dns;
using Berth.Runtime;
using Berth.Runtime.Logging;
using CsCheck;

namespace Berth.Tests.Unit.Fuzz;

/// <summary>
/// Property tests for the parsers that read hostile input: generated inputs, shaped like the
/// real ones, hold the fuzz targets' invariants, and what the writers produce reads back as
/// written. CsCheck shrinks a failure to a small input; keep it under Fuzz/regressions.
/// </summary>
public sealed class ParserPropertyTests
{
    private static readonly Gen<string> Label = Gen.Int[0, 25].Select(i => (char)('a' + i)).Array[1, 20].Select(c => new string(c));

    private static Gen<string> Text(string alphabet, int max) =>
        Gen.Int[0, alphabet.Length - 1].Select(i => alphabet[i]).Array[0, max].Select(c => new string(c));

    [Fact]
    public void Dns_queries_read_back_as_built_and_any_datagram_keeps_the_invariants()
    {
        Gen.Select(Gen.UShort, Label.Array[1, 5], Gen.OneOfConst(DnsWire.TypeA, DnsWire.TypeAaaa, DnsWire.TypePtr, DnsWire.TypeMx))
            .Sample((id, labels, type) =>
            {
                var name = string.Join('.', labels);
                var query = DnsWire.BuildQuery(id, name.ToUpperInvariant(), type);
                Assert.True(DnsWire.TryParseQuery(query, out var q));
                Assert.Equal((id, name, type, query.Length), (q.Id, q.Name, q.Type, q.QuestionEnd));
                DnsTarget.Run(query);
            });

        Gen.Byte.Array[0, 600].Sample(DnsTarget.Run, iter: 3000);

        // Mutations of a valid query reach the parser's deeper branches more often than noise.
        Gen.Select(Gen.Int[0, 40], Gen.Byte, Gen.Int[0, 60]).Sample((at, value, cut) =>
        {
            var q = DnsWire.BuildQuery(9, "some.service.example", DnsWire.TypeA).Concat(new byte[] { 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0 }).ToArray();
            q[11] = 1;
            q[Math.Min(at, q.Length - 1)] = value;
            DnsTarget.Run(q[..Math.Max(0, q.Length - cut)]);
        }, iter: 3000);
    }

    [Fact]
    public void Json_log_lines_read_back_as_written()
    {
        Gen.Select(Gen.String, Gen.Bool, Gen.Long[0, 4_000_000_000_000_000_000]).Sample((line, stderr, nanos) =>
        {
            var bytes = Encoding.UTF8.GetBytes(line);
            var buffer = new byte[JsonLogFormat.MaxEncodedLength(bytes.Length)];
            var n = JsonLogFormat.Encode(buffer, stderr ? OutputStream.Stderr : OutputStream.Stdout, bytes, nanos);
            var output = new ArrayBufferWriter<byte>();
            Assert.True(JsonLogFormat.TryParse(buffer.AsSpan(0, n).TrimEnd((byte)'\n'), output, out var stream, out var time));
            Assert.Equal(stderr ? OutputStream.Stderr : OutputStream.Stdout, stream);
            Assert.Equal(nanos, time);
            Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(output.WrittenSpan));
        });

        Gen.Byte.Array[0, 400].Sample(JsonLogTarget.Run, iter: 300);
    }

    [Fact]
    public void Local_log_records_read_back_as_written()
    {
        var partial = Gen.Select(Gen.Bool, Gen.Char["0123456789abcdef"].Array[0, 64], Gen.Int).Select((last, id, ordinal) => (PartialLogMetadata?)new PartialLogMetadata(last, new string(id), ordinal));
        var metadata = Gen.Frequency((3, Gen.Const((PartialLogMetadata?)null)), (1, partial));
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Bool, Gen.Long, metadata).Sample((line, stderr, nanos, meta) =>
        {
            var buffer = new byte[LocalLogCodec.MaxEncodedLength(line.Length)];
            var n = LocalLogCodec.Encode(buffer, stderr ? OutputStream.Stderr : OutputStream.Stdout, line, nanos, meta);
            Assert.Equal(n, LocalLogCodec.FrameLength(buffer.AsSpan(0, n)));
            Assert.True(LocalLogCodec.TryDecode(buffer.AsSpan(4, n - 8), out var e));
            Assert.Equal(stderr ? "stderr" : "stdout", Encoding.ASCII.GetString(e.Source));
            Assert.Equal(nanos, e.TimeNano);
            Assert.Equal(line, e.Line.ToArray());
            Assert.Equal(meta is not null, e.Partial);
            if (meta is { } m)
            {
                Assert.True(e.HasMetadata);
                Assert.Equal(m.Last, e.Last);
                Assert.Equal(m.Id, Encoding.ASCII.GetString(e.PartialId));
                Assert.Equal(m.Ordinal, e.Ordinal);
            }

            // Whatever else the reader is given, it never fails.
            var output = new ArrayBufferWriter<byte>();
            _ = LocalLogFormat.Instance.TryDecode(buffer.AsSpan(0, n), output, out _, out _);
        });

        Gen.Byte.Array[0, 400].Sample(LocalLogTarget.Run, iter: 200);
    }

    [Fact]
    public void Filters_refuse_bad_input_only_with_dockers_error()
    {
        Text("{}[]\":,truefalse label=a b-_.0123456789smhZT", 60).Sample(s => FiltersTarget.Run(Encoding.UTF8.GetBytes(s)), iter: 3000);
        Gen.Select(Label, Text("abc=!:.-0129", 12).Array[0, 4]).Sample((name, values) =>
            FiltersTarget.Run(Encoding.UTF8.GetBytes($"{{\"{name}\":[{string.Join(',', values.Select(v => $"\"{v}\""))}]}}")), iter: 1000);
    }

    [Fact]
    public void Go_templates_refuse_bad_input_only_with_template_errors()
    {
        var pieces = Gen.OneOfConst("{{", "}}", ".", "ID", "Names", "Labels", "Mounts", " ", "range", "end", "if", "else", "with", "index", "json", "printf", "len", "eq", "\"a\"", "$x", ":=", "|", "(", ")", "-", "/*", "*/", "table", "\t", "3", "nil", "define", "template", "block", "`", "'x'", "\\");
        pieces.Array[0, 24].Select(p => string.Concat(p)).Sample(s => GoTemplateTarget.Run(Encoding.UTF8.GetBytes(s)), iter: 5000);
    }

    [Fact]
    public void Hijacks_hand_kestrel_a_bodiless_upgrade_and_keep_the_body()
    {
        var header = Gen.OneOf(
            Gen.OneOfConst("Upgrade: tcp", "upgrade:TCP", "Connection: Upgrade", "Host: x", "Content-Type: application/json", "Transfer-Encoding: chunked", "X-Hijack-Bytes: 3"),
            Gen.Select(Gen.OneOfConst("Content-Length", "content-length", "CONTENT-LENGTH "), Gen.OneOfConst("0", "3", "27", "-1", "+3", " 3 ", "99999999999", "2000000", "3,3", "x", ""), (n, v) => $"{n}:{v}"));
        Gen.Select(header.Array[0, 6], Gen.Byte.Array[0, 40]).Sample((headers, body) =>
        {
            var head = "POST /v1.50/exec/x/start HTTP/1.1\r\n" + string.Concat(headers.Select(h => h + "\r\n")) + "\r\n";
            HijackHeadTarget.Run([.. Encoding.Latin1.GetBytes(head), .. body]);
        }, iter: 2000);
    }
}
