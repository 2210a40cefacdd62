namespace Engram.Eval.Tests;

/// <summary>
/// A tiny hand-made dataset in the shape of locomo10.json (invented people and lines; none of the real
/// data). It has the real file's quirks: sessions out of order, a date without a session, an image
/// turn, a numeric answer, an adversarial question without an answer and malformed evidence.
/// </summary>
internal static class MiniLocomo
{
    public const string Json = """
    [
      {
        "sample_id": "mini-1",
        "conversation": {
          "speaker_a": "Ana",
          "speaker_b": "Ben",
          "session_10_date_time": "9:05 pm on 2 July, 2023",
          "session_10": [
            { "speaker": "Ana", "dia_id": "D10:1", "text": "Biscuit learned to swim in the river this summer." }
          ],
          "session_1_date_time": "1:56 pm on 8 May, 2023",
          "session_1": [
            { "speaker": "Ana", "dia_id": "D1:1", "text": "I adopted a puppy named Biscuit last weekend!" },
            { "speaker": "Ben", "dia_id": "D1:2", "text": "That is wonderful news. Which breed?" },
            { "speaker": "Ana", "dia_id": "D1:3", "text": "A corgi, here he is.", "img_url": ["http://example.invalid/dog.jpg"], "blip_caption": "a small dog sitting near a lake" }
          ],
          "session_2_date_time": "10:00 am on 12 June, 2023",
          "session_2": [
            { "speaker": "Ben", "dia_id": "D2:1", "text": "I started learning the violin in March." },
            { "speaker": "Ana", "dia_id": "D2:2", "text": "Nice! My sister plays the cello in an orchestra." },
            { "speaker": "Ben", "dia_id": "D2:3", "text": "We should go to a concert together sometime." }
          ],
          "session_3_date_time": "11:00 am on 1 August, 2023"
        },
        "observation": { "ignored": "never read" },
        "session_summary": { "session_1_summary": "never read" },
        "qa": [
          { "question": "What is the name of the puppy Ana adopted?", "answer": "Biscuit", "evidence": ["D1:1"], "category": 4 },
          { "question": "When did Ben start learning the violin?", "answer": "March 2023", "evidence": ["D2:01"], "category": 2 },
          { "question": "Which instruments do Ben and Ana's sister play?", "answer": "violin and cello", "evidence": ["D2:1; D2:2"], "category": 1 },
          { "question": "Where did Biscuit learn to swim?", "answer": "in the river", "evidence": ["D:10:1"], "category": 3 },
          { "question": "Which breed is Ben's puppy?", "adversarial_answer": "a corgi", "evidence": ["D1:2"], "category": 5 },
          { "question": "How many puppies did Ana adopt?", "answer": 1, "evidence": ["D1:1", "D42:1"], "category": 4 },
          { "question": "Who won the lottery?", "answer": "nobody", "evidence": ["D42:1"], "category": 4 },
          { "question": "What did Ana eat?", "answer": "unknown", "evidence": [], "category": 4 }
        ]
      },
      {
        "sample_id": "mini-2",
        "conversation": {
          "speaker_a": "Cy",
          "speaker_b": "Dee",
          "session_5_date_time": "not a date",
          "session_5": [
            { "speaker": "Cy", "dia_id": "D5:1", "text": "I sold my old violin to a collector yesterday." },
            { "speaker": "Dee", "dia_id": "D5:2", "text": "Did the collector pay well for it?" }
          ]
        },
        "qa": [
          { "question": "Who bought the violin from Cy?", "answer": "a collector", "evidence": ["D5:1"], "category": 4 }
        ]
      }
    ]
    """;

    public static string Write(TempFolder folder, string name = "mini-locomo.json")
    {
        var path = folder.File(name);
        File.WriteAllText(path, Json);
        return path;
    }
}
