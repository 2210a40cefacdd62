using Engram.Core.Chat;
using Engram.Core.Model;
using Engram.Hosting;
using Engram.Providers;
using Microsoft.Extensions.AI;

// A console chat that remembers across runs. It reads Engram's settings (ENGRAM_HOME, settings.json,
// ENGRAM_LLM__* variables): the same OpenAI-compatible endpoint answers the chat and distils what to remember.
//
//   ENGRAM_LLM__PROVIDER=openai ENGRAM_LLM__MODEL=llama3.1 ENGRAM_LLM__BASEURL=http://localhost:11434/v1 \
//     dotnet run --project samples/Engram.Samples.Chat -- --user alice
//
// Type a message per line; an empty line or end of input quits.

var user = args.Length >= 2 && args[0] == "--user" ? args[1] : Environment.UserName;
await using var runtime = await EngramRuntime.OpenAsync(EngramHome.Resolve());
var llm = runtime.Settings.Llm;
if (llm.Provider != "openai")
{
    Console.Error.WriteLine("set ENGRAM_LLM__PROVIDER=openai with ENGRAM_LLM__BASEURL and ENGRAM_LLM__MODEL (any OpenAI-compatible endpoint)");
    return 2;
}

using var chat = OpenAiCompatible.Chat(new Uri(llm.BaseUrl ?? "https://api.openai.com/v1"), llm.Model ?? "gpt-4o-mini",
        llm.ApiKey ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY"))
    .AsBuilder()
    .UseEngramMemory(runtime.Memory, new EngramMemoryOptions { Scope = new MemoryScope { UserId = user, AgentId = "sample-chat" } })
    .Build();

List<ChatMessage> history = [new(ChatRole.System, "You are a helpful assistant. Answer briefly.")];
while (Console.ReadLine() is { Length: > 0 } line)
{
    history.Add(new ChatMessage(ChatRole.User, line));
    var response = await chat.GetResponseAsync(history);
    history.AddMessages(response);
    Console.WriteLine(response.Text);
}
await chat.GetRequiredService<EngramMemoryChatClient>().FlushAsync();
return 0;
