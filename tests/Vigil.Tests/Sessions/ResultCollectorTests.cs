using Vigil.Sessions;

namespace Vigil.Tests.Sessions;

/// <summary>
/// The bounded result collector: a prefix of whole rows within the row and UTF-8 byte bounds, every row counted,
/// <c>truncated</c> exactly when rows were left out, and nothing at all when result recording is off.
/// </summary>
public sealed class ResultCollectorTests
{
    private static readonly RecordedColumn[] Columns = [new("id", "int4"), new("name", "text")];

    private static ResultCollector Feed(ResultCollector collector, int rows)
    {
        collector.SetColumns(Columns);
        for (var i = 1; i <= rows; i++)
        {
            if (collector.IsFull)
            {
                collector.Count();
            }
            else
            {
                collector.Add([i.ToString(System.Globalization.CultureInfo.InvariantCulture), "item " + i]);
            }
        }
        return collector;
    }

    [Fact]
    public void Keeps_the_first_rows_up_to_the_row_bound_and_counts_the_rest()
    {
        var result = Feed(new ResultCollector(3, 65536), 10).Build()!;
        result.Columns.Should().Equal(Columns);
        result.Rows.Select(r => r[1]).Should().Equal("item 1", "item 2", "item 3");
        result.RowCount.Should().Be(10);
        result.Truncated.Should().BeTrue();
    }

    [Fact]
    public void A_result_that_fits_exactly_is_not_truncated()
    {
        var result = Feed(new ResultCollector(3, 65536), 3).Build()!;
        result.Rows.Should().HaveCount(3);
        result.RowCount.Should().Be(3);
        result.Truncated.Should().BeFalse("no row was left out, though the collector is full");
    }

    [Fact]
    public void Bytes_are_the_utf8_length_of_kept_values_and_a_row_that_does_not_fit_ends_the_kept_part()
    {
        // "é" is 2 bytes in UTF-8 and 1 UTF-16 unit: a budget of 4 bytes holds "éé" but not "ééé".
        var collector = new ResultCollector(100, 4);
        collector.SetColumns([new("v", "text")]);
        collector.Add(["éé"]).Should().BeTrue();
        collector.Add([null]).Should().BeTrue("NULL takes no bytes");
        collector.Add(["é"]).Should().BeFalse("2 more bytes do not fit in the 0 left");
        collector.IsFull.Should().BeTrue();
        collector.Add([""]).Should().BeFalse("later rows are counted, never kept: the recording stays a prefix");
        var result = collector.Build()!;
        result.Rows.Should().BeEquivalentTo(new[] { new[] { "éé" }, new string?[] { null } }, o => o.WithStrictOrdering());
        result.RowCount.Should().Be(4);
        result.Truncated.Should().BeTrue();
    }

    [Fact]
    public void A_value_larger_than_the_whole_budget_records_the_columns_and_the_count_only()
    {
        var collector = new ResultCollector(100, 1024);
        collector.SetColumns([new("payload", "bytea")]);
        collector.Add([new string('x', 300_000)]).Should().BeFalse();
        var result = collector.Build()!;
        result.Rows.Should().BeEmpty();
        result.RowCount.Should().Be(1);
        result.Truncated.Should().BeTrue();
    }

    [Fact]
    public void Kept_rows_are_copies_of_the_values_fed()
    {
        var collector = new ResultCollector(10, 1000);
        collector.SetColumns([new("v", "text")]);
        var buffer = new string?[] { "first" };
        collector.Add(buffer);
        buffer[0] = "reused";
        collector.Build()!.Rows.Single().Should().Equal("first");
    }

    [Theory]
    [InlineData(0, 65536)]
    [InlineData(100, 0)]
    public void Zero_turns_result_recording_off(int rows, int bytes)
    {
        var collector = new ResultCollector(rows, bytes);
        collector.Enabled.Should().BeFalse();
        collector.IsFull.Should().BeTrue("the caller need not turn values into strings");
        Feed(collector, 5).Build().Should().BeNull();
        collector.RowCount.Should().Be(5);
    }

    [Fact]
    public void A_statement_without_a_result_set_builds_no_result_and_an_empty_one_builds_zero_rows()
    {
        new ResultCollector(100, 65536).Build().Should().BeNull("no RowDescription: an INSERT, a SET");
        var empty = Feed(new ResultCollector(100, 65536), 0).Build()!;
        empty.Columns.Should().HaveCount(2);
        empty.Rows.Should().BeEmpty();
        empty.RowCount.Should().Be(0);
        empty.Truncated.Should().BeFalse();
    }

    [Fact]
    public void Negative_bounds_are_refused()
    {
        ((Action)(() => _ = new ResultCollector(-1, 10))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new ResultCollector(10, -1))).Should().Throw<ArgumentOutOfRangeException>();
    }
}
