namespace Engram.Agents.Tests;

public sealed class GitRemoteUrlTests
{
    [Theory]
    [InlineData("git@github.com:Org/Repo.git")]
    [InlineData("git@github.com:org/repo")]
    [InlineData("https://github.com/org/repo")]
    [InlineData("https://github.com/org/repo.git")]
    [InlineData("https://github.com/org/repo/")]
    [InlineData("https://user:tok@github.com/org/repo")]
    [InlineData("https://user@GitHub.com/Org/Repo.git/")]
    [InlineData("ssh://git@github.com/org/repo.git")]
    [InlineData("ssh://git@github.com:22/org/repo.git")]
    [InlineData("git://github.com/org/repo.git")]
    [InlineData("http://github.com:80/org//repo")]
    [InlineData("  https://github.com/org/repo.git  ")]
    [InlineData("github.com:org/repo.git")]
    [InlineData("https://github.com/org/repo?tab=readme#top")]
    public void Variants_of_one_remote_normalise_equal(string url)
    {
        Assert.Equal("github.com/org/repo", GitRemoteUrl.NormalizeKey(url));
    }

    [Theory]
    [InlineData("git@ssh.dev.azure.com:v3/contoso/Shop/shop-api", "dev.azure.com/contoso/shop/shop-api")]
    [InlineData("https://contoso@dev.azure.com/contoso/Shop/_git/shop-api", "dev.azure.com/contoso/shop/shop-api")]
    [InlineData("https://gitlab.example.com/group/sub/group/project.git", "gitlab.example.com/group/sub/group/project")]
    [InlineData("ssh://git@[::1]:2222/team/repo.git", "[::1]/team/repo")]
    public void Hosted_remotes_normalise(string url, string expected)
    {
        Assert.Equal(expected, GitRemoteUrl.NormalizeKey(url));
    }

    [Fact]
    public void Display_name_keeps_the_written_case()
    {
        Assert.Equal(new NormalizedRemote("github.com/acme/shop-api", "Shop-API"), GitRemoteUrl.Normalize("git@github.com:Acme/Shop-API.git"));
    }

    [Fact]
    public void Local_paths_become_absolute_and_keep_case()
    {
        Assert.Equal("/srv/Git/Shop", GitRemoteUrl.NormalizeKey("/srv/Git/Shop.git/"));
        Assert.Equal("/srv/git/shop", GitRemoteUrl.NormalizeKey("file:///srv/git/shop.git"));
        Assert.Equal("/home/me/upstream", GitRemoteUrl.NormalizeKey("../upstream", "/home/me/clone"));
    }

    [Fact]
    public void Empty_urls_give_null()
    {
        Assert.Null(GitRemoteUrl.Normalize(""));
        Assert.Null(GitRemoteUrl.Normalize("   "));
    }
}
