"""The results cache and the pack cache: a changed plan, pack or date is always evaluated afresh; an entry
that is corrupt is a miss, never an error; nothing is written beside the plans."""
from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
import zlib

import pytest
from conftest import ROOT

from fourp import load_pack
from fourp.audit import audit
from fourp.cache.results import ResultsCache
from fourp.cache.store import default_cache_dir

AS_OF = dt.date(2024, 9, 30)
EXAMPLES = str(ROOT / "examples")


@pytest.fixture(autouse=True)
def own_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def folder(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    for name in ("good-plan.yaml", "surrey-no-lro.yaml", "thames-valley-no-results.yaml"):
        shutil.copy(os.path.join(EXAMPLES, name), plans / name)
    (plans / "broken.yaml").write_text("fourp: 1\nid: [unclosed\n", encoding="utf-8")
    return plans


class Counting(ResultsCache):
    """A cache that counts hits and stores, to see what an audit evaluated."""

    def __init__(self, directory):
        super().__init__(directory)
        self.hits = self.stores = 0

    def get(self, key):
        result = super().get(key)
        self.hits += result is not None and not _is_portfolio(result)
        return result

    def put(self, key, result):
        self.stores += not _is_portfolio(result)
        return super().put(key, result)


def _is_portfolio(result):
    return isinstance(result, dict) and result.get("kind") == "portfolio"


def _run(folder, cache, as_of=AS_OF, pack=None):
    return audit([str(folder)], pack=pack, as_of=as_of, jobs=1, cache=cache)


def _same(a, b):
    assert [r.to_dict() for r in a.reports] == [r.to_dict() for r in b.reports]
    assert [e.to_dict() for e in a.errors] == [e.to_dict() for e in b.errors]
    assert a.summary == b.summary and a.portfolio == b.portfolio


def test_default_cache_dir_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    assert default_cache_dir() == str(tmp_path / "c" / "fourp")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, as the XDG spec says
    assert default_cache_dir() == os.path.join(os.path.expanduser("~"), ".cache", "fourp")


def test_an_unchanged_folder_comes_from_the_cache_with_the_same_result(folder, tmp_path):
    first_cache = Counting(tmp_path / "cache")
    first = _run(folder, first_cache)
    assert (first_cache.hits, first_cache.stores) == (0, 4)
    again_cache = Counting(tmp_path / "cache")
    again = _run(folder, again_cache)
    assert (again_cache.hits, again_cache.stores) == (4, 0)
    _same(first, again)
    _same(first, _run(folder, None))  # and the same as with no cache at all
    assert sorted(os.listdir(folder)) == ["broken.yaml", "good-plan.yaml", "surrey-no-lro.yaml",
                                          "thames-valley-no-results.yaml"]  # nothing beside the plans


def test_a_changed_plan_is_evaluated_again(folder, tmp_path):
    _run(folder, Counting(tmp_path / "cache"))
    plan = folder / "good-plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("status: active", "status: closed"),
                    encoding="utf-8")
    cache = Counting(tmp_path / "cache")
    result = _run(folder, cache)
    assert (cache.hits, cache.stores) == (3, 1)
    report = next(r for r in result.reports if r.file.endswith("good-plan.yaml"))
    assert report.status == "closed"
    _same(result, _run(folder, None))


def test_a_changed_date_is_evaluated_again(folder, tmp_path):
    _run(folder, Counting(tmp_path / "cache"))
    cache = Counting(tmp_path / "cache")
    later = _run(folder, cache, as_of=AS_OF + dt.timedelta(days=200))
    assert cache.hits == 0 and cache.stores == 4
    _same(later, _run(folder, None, as_of=AS_OF + dt.timedelta(days=200)))


def test_a_changed_pack_or_a_pack_it_extends_is_evaluated_again(folder, tmp_path):
    base = tmp_path / "base.yaml"
    shutil.copy(load_pack().file, base)
    force = tmp_path / "force.yaml"
    force.write_text("fourp-pack: 1\nname: force\nextends: base.yaml\n", encoding="utf-8")
    _run(folder, Counting(tmp_path / "cache"), pack=load_pack(str(force)))
    cache = Counting(tmp_path / "cache")
    _run(folder, cache, pack=load_pack(str(force)))
    assert cache.hits == 4
    # The extended pack changes: a stricter review cadence. Every plan is judged again.
    base.write_text(base.read_text(encoding="utf-8").replace("default: 62", "default: 7", 1), encoding="utf-8")
    cache = Counting(tmp_path / "cache")
    changed = _run(folder, cache, pack=load_pack(str(force)))
    assert cache.hits == 0 and cache.stores == 4
    _same(changed, _run(folder, None, pack=load_pack(str(force))))
    # And the force's own pack changes.
    force.write_text(force.read_text(encoding="utf-8") + "overrides: {qa-evidenced: {severity: info}}\n",
                     encoding="utf-8")
    cache = Counting(tmp_path / "cache")
    _run(folder, cache, pack=load_pack(str(force)))
    assert cache.hits == 0


def test_corrupt_entries_are_misses(folder, tmp_path):
    first = _run(folder, ResultsCache(tmp_path / "cache"))
    entries = [os.path.join(d, f) for d, _, fs in os.walk(tmp_path / "cache" / "results") for f in fs]
    assert len(entries) == 5  # four plans and the cross-plan verdict
    # Empty, garbage, a valid entry of the wrong thing, and one cut short.
    payloads = [b"", b"\x00garbage", zlib.compress(pickle.dumps(1)), open(entries[3], "rb").read()[:40],
                zlib.compress(pickle.dumps({"kind": "portfolio", "portfolio": "not a verdict"}))]
    for entry, payload in zip(entries, payloads):
        with open(entry, "wb") as handle:
            handle.write(payload)
    cache = Counting(tmp_path / "cache")
    again = _run(folder, cache)
    assert cache.hits == 0 and cache.stores == 4
    _same(first, again)


def test_an_unwritable_cache_never_fails_an_audit(folder, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    result = _run(folder, ResultsCache(str(blocker / "cache")))
    _same(result, _run(folder, None))


def test_clear_removes_every_entry(folder, tmp_path):
    cache = ResultsCache(tmp_path / "cache")
    _run(folder, cache)
    assert cache.clear() == 5
    counting = Counting(tmp_path / "cache")
    _run(folder, counting)
    assert counting.hits == 0


def test_the_pack_cache_is_used_only_while_the_pack_is_unchanged(tmp_path):
    pack_file = tmp_path / "pack.yaml"
    shutil.copy(load_pack().file, pack_file)
    first = load_pack(str(pack_file))
    cached = load_pack(str(pack_file))  # from the cache this time
    assert [r.to_dict() for r in cached.rules] == [r.to_dict() for r in first.rules]
    assert os.listdir(os.path.join(default_cache_dir(), "packs", "v1"))
    pack_file.write_text(pack_file.read_text(encoding="utf-8").replace("default: 62", "default: 7", 1),
                         encoding="utf-8")
    changed = load_pack(str(pack_file))
    assert changed.rule("lro-reviews-regular").params["max_gap_days"] == 7
    for entry in os.scandir(os.path.join(default_cache_dir(), "packs", "v1")):
        with open(entry.path, "wb") as handle:
            handle.write(b"not a pickle")
    assert load_pack(str(pack_file)).rule("lro-reviews-regular").params["max_gap_days"] == 7


def test_the_audit_command_caches_unless_told_not_to(folder, tmp_path):
    from click.testing import CliRunner

    from fourp.cli import main

    runner = CliRunner()
    results = os.path.join(default_cache_dir(), "results")
    args = ["audit", str(folder), "--as-of", "2024-09-30", "--format", "json", "-o", str(tmp_path / "a.json")]
    runner.invoke(main, args + ["--no-cache"])
    assert not os.path.exists(results)  # --no-cache keeps nothing
    first = runner.invoke(main, args)
    assert first.exit_code == 2  # broken.yaml cannot be read
    assert sum(len(fs) for _, _, fs in os.walk(results)) == 5
    elsewhere = tmp_path / "elsewhere"
    runner.invoke(main, args + ["--cache-dir", str(elsewhere)])
    assert sum(len(fs) for _, _, fs in os.walk(elsewhere / "results")) == 5
    cleared = runner.invoke(main, ["cache", "clear"])
    assert cleared.exit_code == 0 and "removed" in cleared.output
    assert sum(len(fs) for _, _, fs in os.walk(results)) == 0
    assert runner.invoke(main, ["cache", "dir"]).output.strip() == default_cache_dir()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_among_the_plans_does_not_stall_the_cache(folder, tmp_path):
    os.mkfifo(folder / "pipe.yaml")
    result = _run(folder, ResultsCache(tmp_path / "cache"))
    assert any(e.file.endswith("pipe.yaml") for e in result.errors)


def test_fourp_no_cache_turns_every_cache_off(folder, tmp_path, monkeypatch):
    monkeypatch.setenv("FOURP_NO_CACHE", "1")
    cache = Counting(tmp_path / "cache")
    _run(folder, cache)
    load_pack()
    assert cache.stores == 0 and not os.path.exists(default_cache_dir())


def test_the_cross_plan_verdict_is_kept_only_while_every_plan_is_unchanged(folder, tmp_path, monkeypatch):
    import fourp.portfolio.evaluate

    judged = []
    real = fourp.portfolio.evaluate.evaluate_portfolio
    monkeypatch.setattr(fourp.portfolio.evaluate, "evaluate_portfolio",
                        lambda *a, **k: judged.append(1) or real(*a, **k))
    (folder / "broken.yaml").unlink()
    first = _run(folder, ResultsCache(tmp_path / "cache"))
    again = _run(folder, ResultsCache(tmp_path / "cache"))
    assert len(judged) == 1 and again.portfolio == first.portfolio
    shutil.copy(os.path.join(EXAMPLES, "sussex-copied-text.yaml"), folder)  # a plan added
    added = _run(folder, ResultsCache(tmp_path / "cache"))
    assert len(judged) == 2 and added.portfolio == _run(folder, None).portfolio
    later = _run(folder, ResultsCache(tmp_path / "cache"), as_of=AS_OF + dt.timedelta(days=1))
    assert len(judged) == 4 and later.portfolio["findings"] is not None


def test_a_planted_entry_is_never_unpickled(tmp_path, monkeypatch):
    """Someone who can write to a (shared) cache folder cannot make fourp run code: entries are sealed with
    the user's own key, kept outside the cache, and an entry that is not is never unpickled."""
    import pickle

    from fourp.cache import results as cache_module
    from fourp.cache import signing

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(signing, "_key", None)
    store = cache_module.ResultsCache(str(tmp_path / "shared-cache"))
    assert store.put("ab" * 32, {"kind": "portfolio", "portfolio": {}})
    assert store.get("ab" * 32) is not None
    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    import zlib

    entry = store._entry("cd" * 32)
    os.makedirs(os.path.dirname(entry), exist_ok=True)
    with open(entry, "wb") as handle:  # a bare pickle, as the unsealed cache stored them
        handle.write(zlib.compress(pickle.dumps(Exploit())))
    assert store.get("cd" * 32) is None
    forged = signing._MAGIC + b"\0" * 32 + zlib.compress(pickle.dumps(Exploit()))
    with open(entry, "wb") as handle:  # a seal made without the key
        handle.write(forged)
    assert store.get("cd" * 32) is None
    assert not marker.exists()
    assert oct(os.stat(signing.key_path()).st_mode & 0o777) == "0o600"


def test_a_pack_changed_in_memory_is_not_handed_the_results_of_the_pack_on_disk(folder, tmp_path):
    import dataclasses

    pack = load_pack()
    changed = dataclasses.replace(pack, rules=tuple(dataclasses.replace(r, enabled=False) if r.id == "lro-named"
                                                    else r for r in pack.rules))
    _run(folder, Counting(tmp_path / "cache"), pack=pack)
    cache = Counting(tmp_path / "cache")
    cached = _run(folder, cache, pack=changed)
    assert cache.hits == 0
    _same(cached, _run(folder, None, pack=changed))
    assert all(r.result("lro-named") is None for r in cached.reports)
    again = Counting(tmp_path / "cache")
    _same(_run(folder, again, pack=changed), cached)
    assert again.hits == 4  # the same compiled pack, in another process or run, still hits


def test_the_compiled_packs_digest_is_the_same_in_every_process():
    import subprocess
    import sys

    from fourp.cache.results import pack_digest

    code = "import fourp; from fourp.cache.results import pack_digest; print(pack_digest(fourp.load_pack()))"
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env=dict(os.environ, PYTHONHASHSEED=seed, **extra)).stdout.strip()
               for seed, extra in (("1", {}), ("2", {"FOURP_NO_CACHE": "1"}))}
    assert digests == {pack_digest(load_pack())}


@pytest.mark.parametrize("no_cache", [False, True], ids=["cache", "FOURP_NO_CACHE"])
def test_fourp_check_writes_only_what_the_readme_says(tmp_path, no_cache):
    """README, Safety: besides reports, only the cache folder's packs/ and templates/ and the config's key."""
    import subprocess
    import sys

    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=str(home / "cache"),
               XDG_CONFIG_HOME=str(home / "config"))
    env.pop("FOURP_NO_CACHE", None)
    if no_cache:
        env["FOURP_NO_CACHE"] = "1"
    done = subprocess.run([sys.executable, "-m", "fourp", "check", os.path.join(EXAMPLES, "good-plan.yaml"),
                           "--as-of", "2024-09-30"], cwd=work, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

    def place(path):  # a cache entry by its folder (names are digests); anything else by its path
        parts = path.relative_to(home).parts
        return "/".join(parts[:3] if parts[:2] == ("cache", "fourp") else parts)

    written = {place(p) for p in home.rglob("*") if p.is_file()} if home.exists() else set()
    # The compiled templates are written only by a format a template renders (the text of a check is not).
    assert written == (set() if no_cache else {"cache/fourp/packs", "config/fourp/cache.key"})
    assert list(work.iterdir()) == []

