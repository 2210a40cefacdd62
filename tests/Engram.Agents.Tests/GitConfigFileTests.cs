namespace Engram.Agents.Tests;

public sealed class GitConfigFileTests
{
    [Fact]
    public void Reads_remotes_in_order_with_quotes_escapes_and_comments()
    {
        const string config = """
            [core]
            	repositoryformatversion = 0
            ; a comment
            [remote "upstream"]
            	url = https://example.com/up.git ; trailing comment
            	fetch = +refs/heads/*:refs/remotes/upstream/*
            [remote "my \"fork\""]
            	url = "git@example.com:me/fork.git"
            	url = git@example.com:me/second.git
            [remote.legacy]
            	URL = /srv/legacy
            [branch "main"]
            	remote = origin
            	url = not-a-remote
            """;

        var remotes = GitConfigFile.ReadRemotes(config);

        Assert.Equal(
            [("upstream", "https://example.com/up.git"), ("my \"fork\"", "git@example.com:me/fork.git"), ("legacy", "/srv/legacy")],
            remotes);
    }
}
