using Engram.Core;

namespace Engram.Eval.Tests;

public sealed class LocomoDatasetTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Loads_conversations_sessions_and_turns_in_order()
    {
        var data = LocomoDataset.Load(MiniLocomo.Write(_folder));

        Assert.Equal(2, data.Conversations.Count);
        var mini = data.Conversations[0];
        Assert.Equal((0, "mini-1", "Ana", "Ben"), (mini.Index, mini.SampleId, mini.SpeakerA, mini.SpeakerB));
        // session_N keys sorted by number; session_3 has a date but no turns, so it does not exist.
        Assert.Equal([1, 2, 10], mini.Sessions.Select(s => s.Number));
        Assert.Equal(["session_1", "session_2", "session_10"], mini.Sessions.Select(s => s.Key));
        Assert.Equal(["D1:1", "D1:2", "D1:3", "D2:1", "D2:2", "D2:3", "D10:1"], mini.Turns.Select(t => t.Turn.DiaId));
        Assert.Equal(7, mini.TurnCount);
        Assert.Equal(9, data.TurnCount);
        Assert.Equal(9, data.QuestionCount);
    }

    [Fact]
    public void Reads_turn_fields_and_appends_image_captions_to_the_memory_text()
    {
        var turns = LocomoDataset.Load(MiniLocomo.Write(_folder)).Conversations[0].Sessions[0].Turns;

        Assert.Equal("Ana", turns[0].Speaker);
        Assert.Equal("I adopted a puppy named Biscuit last weekend!", turns[0].MemoryText);
        Assert.Null(turns[0].BlipCaption);
        Assert.Empty(turns[0].ImageUrls);
        Assert.Equal(["http://example.invalid/dog.jpg"], turns[2].ImageUrls);
        Assert.Equal("A corgi, here he is. [shares a small dog sitting near a lake]", turns[2].MemoryText);
    }

    [Fact]
    public void Session_dates_are_parsed_as_utc_and_bad_ones_become_null()
    {
        var data = LocomoDataset.Load(MiniLocomo.Write(_folder));
        var sessions = data.Conversations[0].Sessions;

        Assert.Equal(new DateTimeOffset(2023, 5, 8, 13, 56, 0, TimeSpan.Zero), sessions[0].Date);
        Assert.Equal(new DateTimeOffset(2023, 6, 12, 10, 0, 0, TimeSpan.Zero), sessions[1].Date);
        Assert.Equal(new DateTimeOffset(2023, 7, 2, 21, 5, 0, TimeSpan.Zero), sessions[2].Date);
        Assert.Equal("1:56 pm on 8 May, 2023", sessions[0].DateText);
        Assert.Null(data.Conversations[1].Sessions[0].Date);
        Assert.Equal("not a date", data.Conversations[1].Sessions[0].DateText);
    }

    [Theory]
    [InlineData("12:09 am on 14 October, 2024", 2024, 10, 14, 0, 9)]
    [InlineData("12:30 pm on 1 January, 2024", 2024, 1, 1, 12, 30)]
    [InlineData("10:37 AM on 27 Jun, 2023", 2023, 6, 27, 10, 37)]
    [InlineData("  7:05 pm  on 3 March 2022 ", 2022, 3, 3, 19, 5)]
    public void Session_date_formats(string text, int year, int month, int day, int hour, int minute)
    {
        Assert.Equal(new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.Zero), LocomoDataset.ParseSessionDate(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("25:00 pm on 1 May, 2023")]
    public void Unreadable_dates_are_null(string? text)
    {
        Assert.Null(LocomoDataset.ParseSessionDate(text));
    }

    [Fact]
    public void Reads_questions_with_normalised_evidence()
    {
        var questions = LocomoDataset.Load(MiniLocomo.Write(_folder)).Conversations[0].Questions;

        Assert.Equal(8, questions.Count);
        Assert.Equal((0, "Biscuit", 4), (questions[0].Index, questions[0].Answer, questions[0].Category));
        Assert.Equal(["D2:1"], questions[1].Evidence);
        Assert.Equal(["D2:01"], questions[1].RawEvidence);
        Assert.Equal(["D2:1", "D2:2"], questions[2].Evidence);
        Assert.Equal(["D10:1"], questions[3].Evidence);
        Assert.Null(questions[4].Answer);
        Assert.Equal("1", questions[5].Answer);
        Assert.Equal(["D1:1"], questions[5].Evidence);
        Assert.Empty(questions[6].Evidence);
        Assert.Empty(questions[7].Evidence);
    }

    [Fact]
    public void A_missing_file_names_the_path()
    {
        var path = _folder.File("nope/locomo10.json");
        var error = Assert.Throws<EngramException>(() => LocomoDataset.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_json_names_the_file()
    {
        var path = _folder.File("broken.json");
        File.WriteAllText(path, "[{\"sample_id\": ");
        var error = Assert.Throws<EngramException>(() => LocomoDataset.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "JSON array")]
    [InlineData("[{\"conversation\": {}}]", "sample_id")]
    [InlineData("[{\"sample_id\": \"x\"}]", "\"conversation\"")]
    [InlineData("[{\"sample_id\": \"x\", \"conversation\": {\"session_1\": [{\"text\": \"hi\"}]}}]", "dia_id")]
    [InlineData("[{\"sample_id\": \"x\", \"conversation\": {}, \"qa\": [{\"question\": \"q\"}]}]", "category")]
    [InlineData("[{\"sample_id\": 7, \"conversation\": {}}]", "sample_id")]
    public void Data_of_the_wrong_shape_names_the_file_and_the_problem(string json, string expected)
    {
        var path = _folder.File("shape.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<EngramException>(() => LocomoDataset.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_array_is_an_empty_dataset()
    {
        var path = _folder.File("empty.json");
        File.WriteAllText(path, "[]");
        var data = LocomoDataset.Load(path);
        Assert.Empty(data.Conversations);
        Assert.Equal(path, data.Source);
    }
}
