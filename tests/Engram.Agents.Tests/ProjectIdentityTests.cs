namespace Engram.Agents.Tests;

public sealed class ProjectIdentityTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Two_repositories_with_the_same_name_and_no_remote_are_two_projects()
    {
        var first = Git.Init(_temp.Combine("work", "shop-api"));
        var second = Git.Init(_temp.Combine("clients", "acme", "shop-api"));

        var a = ProjectIdentity.Resolve(first);
        var b = ProjectIdentity.Resolve(second);

        Assert.NotEqual(a.Key, b.Key);
        Assert.Equal("shop-api", a.DisplayName);
        Assert.Equal("shop-api", b.DisplayName);
        Assert.Equal(ProjectIdentitySource.GitRoot, a.Source);
        Assert.Equal(first, a.Key);
        Assert.Equal(first, a.Root);
    }

    [Fact]
    public void Two_repositories_with_the_same_name_and_different_remotes_are_two_projects()
    {
        var first = Git.Init(_temp.Combine("a", "shop-api"), "git@github.com:acme/shop-api.git");
        var second = Git.Init(_temp.Combine("b", "shop-api"), "git@github.com:globex/shop-api.git");
        var third = Git.Init(_temp.Combine("c", "shop-api"));

        var keys = new[] { first, second, third }.Select(p => ProjectIdentity.Resolve(p).Key).ToList();

        Assert.Equal(3, keys.Distinct().Count());
        Assert.Equal("github.com/acme/shop-api", keys[0]);
        Assert.Equal("github.com/globex/shop-api", keys[1]);
    }

    [Fact]
    public void Two_clones_of_one_remote_are_one_project()
    {
        var first = Git.Init(_temp.Combine("one", "shop"), "https://github.com/Acme/Shop-API.git");
        var second = Git.Init(_temp.Combine("two", "shop-copy"), "git@github.com:acme/shop-api");

        var a = ProjectIdentity.Resolve(first);
        var b = ProjectIdentity.Resolve(second);

        Assert.Equal(a.Key, b.Key);
        Assert.Equal(ProjectIdentitySource.Remote, a.Source);
        Assert.Equal("Shop-API", a.DisplayName);
    }

    [Fact]
    public void A_subdirectory_belongs_to_its_repository()
    {
        var repo = Git.Init(_temp.Combine("shop-api"), "ssh://git@github.com/acme/shop-api.git");
        var deep = _temp.CreateDirectory("shop-api", "src", "Orders", "Handlers");

        Assert.Equal(ProjectIdentity.Resolve(repo), ProjectIdentity.Resolve(deep));
    }

    [Fact]
    public void A_subdirectory_of_a_repository_without_remote_keys_on_the_root()
    {
        var repo = Git.Init(_temp.Combine("shop-api"));
        var deep = _temp.CreateDirectory("shop-api", "src");

        var identity = ProjectIdentity.Resolve(deep + Path.DirectorySeparatorChar);

        Assert.Equal(repo, identity.Key);
        Assert.Equal(repo, identity.Root);
    }

    [Fact]
    public void A_worktree_maps_to_its_main_repository_with_a_remote()
    {
        var repo = Git.Init(_temp.Combine("shop-api"), "https://github.com/acme/shop-api");
        var worktree = _temp.Combine("shop-api-feature");
        Git.Run(repo, "worktree", "add", "-q", "-b", "feature", worktree);

        Assert.True(File.Exists(Path.Combine(worktree, ".git")), "git worktree add should leave a .git file");
        var main = ProjectIdentity.Resolve(repo);
        var other = ProjectIdentity.Resolve(Path.Combine(worktree));
        Assert.Equal(main.Key, other.Key);
        Assert.Equal(main.Root, other.Root);
    }

    [Fact]
    public void A_worktree_maps_to_its_main_repository_without_a_remote()
    {
        var repo = Git.Init(_temp.Combine("shop-api"));
        var worktree = _temp.Combine("elsewhere", "wt");
        Directory.CreateDirectory(_temp.Combine("elsewhere"));
        Git.Run(repo, "worktree", "add", "-q", "-b", "feature", worktree);
        var subdirectory = Directory.CreateDirectory(Path.Combine(worktree, "docs")).FullName;

        var identity = ProjectIdentity.Resolve(subdirectory);

        Assert.Equal(repo, identity.Key);
        Assert.Equal("shop-api", identity.DisplayName);
    }

    [Fact]
    public void A_submodule_maps_to_its_superproject()
    {
        var library = Git.Init(_temp.Combine("library"), "https://github.com/acme/library.git");
        var super = Git.Init(_temp.Combine("app"), "git@github.com:acme/app.git");
        Git.Run(super, "submodule", "add", "-q", library, "vendor/library");

        var inside = Path.Combine(super, "vendor", "library");
        Assert.True(File.Exists(Path.Combine(inside, ".git")), "the submodule should have a gitdir file");

        Assert.Equal("github.com/acme/app", ProjectIdentity.Resolve(inside).Key);
        Assert.Equal(ProjectIdentity.Resolve(super), ProjectIdentity.Resolve(inside));
    }

    [Fact]
    public void Origin_wins_over_other_remotes_and_the_first_remote_is_used_without_origin()
    {
        var withOrigin = Git.Init(_temp.Combine("one"));
        Git.Run(withOrigin, "remote", "add", "upstream", "https://github.com/upstream/one");
        Git.Run(withOrigin, "remote", "add", "origin", "https://github.com/fork/one");
        var withoutOrigin = Git.Init(_temp.Combine("two"));
        Git.Run(withoutOrigin, "remote", "add", "zeta", "https://gitlab.com/z/two");
        Git.Run(withoutOrigin, "remote", "add", "alpha", "https://gitlab.com/a/two");

        Assert.Equal("github.com/fork/one", ProjectIdentity.Resolve(withOrigin).Key);
        Assert.Equal("gitlab.com/z/two", ProjectIdentity.Resolve(withoutOrigin).Key);
    }

    [Fact]
    public void Credentials_in_the_remote_never_reach_the_key()
    {
        var repo = Git.Init(_temp.Combine("private"), "https://deploy:ghp_secretvalue123@github.com/acme/private.git");

        var identity = ProjectIdentity.Resolve(repo);

        Assert.Equal("github.com/acme/private", identity.Key);
        Assert.DoesNotContain("secret", identity.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Outside_any_repository_the_key_is_the_absolute_directory()
    {
        var plain = _temp.CreateDirectory("notes", "shop-api");

        var identity = ProjectIdentity.Resolve(plain);

        Assert.Equal(plain, identity.Key);
        Assert.Equal("shop-api", identity.DisplayName);
        Assert.Equal(ProjectIdentitySource.Directory, identity.Source);
    }

    [Fact]
    public void A_relative_path_resolves_against_the_current_directory()
    {
        var identity = ProjectIdentity.Resolve(".");
        Assert.True(Path.IsPathFullyQualified(identity.Key) || identity.Source == ProjectIdentitySource.Remote);
    }

    [Fact]
    public void A_local_remote_path_becomes_an_absolute_key()
    {
        var upstream = _temp.CreateDirectory("srv", "shop.git");
        var repo = Git.Init(_temp.Combine("clone"), "../srv/shop.git");

        var identity = ProjectIdentity.Resolve(repo);

        Assert.Equal(_temp.Combine("srv", "shop"), identity.Key);
        Assert.Equal("shop", identity.DisplayName);
        Assert.True(Directory.Exists(upstream));
    }

    [Fact]
    public void A_hand_written_worktree_layout_is_followed()
    {
        // The files git writes, made by hand: .git file -> worktree gitdir -> commondir -> main .git.
        var main = _temp.CreateDirectory("main");
        var gitDir = _temp.CreateDirectory("main", ".git");
        File.WriteAllText(Path.Combine(gitDir, "HEAD"), "ref: refs/heads/main\n");
        File.WriteAllText(Path.Combine(gitDir, "config"), "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = \"git@GitHub.com:Acme/Main.git\" # comment\n");
        var worktreeGitDir = _temp.CreateDirectory("main", ".git", "worktrees", "x");
        File.WriteAllText(Path.Combine(worktreeGitDir, "commondir"), "../..\n");
        var worktree = _temp.CreateDirectory("x");
        File.WriteAllText(Path.Combine(worktree, ".git"), "gitdir: " + worktreeGitDir + "\n");

        var identity = ProjectIdentity.Resolve(worktree);

        Assert.Equal("github.com/acme/main", identity.Key);
        Assert.Equal("Main", identity.DisplayName);
        Assert.Equal(main, identity.Root);
    }

    [Fact]
    public void A_broken_gitdir_file_is_skipped()
    {
        var outer = Git.Init(_temp.Combine("outer"));
        var inner = _temp.CreateDirectory("outer", "inner");
        File.WriteAllText(Path.Combine(inner, ".git"), "gitdir: /nonexistent/place\n");

        Assert.Equal(outer, ProjectIdentity.Resolve(inner).Key);
    }
}

public sealed class HotPathTests
{
    // Hooks run on every tool call: the library must never start a process (such as git).
    [Fact]
    public void The_agents_library_does_not_reference_process_apis()
    {
        var references = typeof(ProjectIdentity).Assembly.GetReferencedAssemblies().Select(a => a.Name);
        Assert.DoesNotContain("System.Diagnostics.Process", references);
    }
}
