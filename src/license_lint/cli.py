"""Click commands only: options, then the pipeline, then a renderer, then an exit code."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from . import __version__
from .errors import InputError, LicenseLintError

# Everything else is imported inside the commands: start-up time matters for a pre-commit hook.
if TYPE_CHECKING:
    from .cardview import CardError
    from .fetch import HubFetcher
    from .model import Card, ModelRef, Report
    from .textstyle import Styler

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# --format names of the reporters (report/__init__.py maps them to modules).
REPORT_FORMATS = (
    "text",
    "json",
    "markdown",
    "html",
    "sarif",
    "spdx",
    "spdx3",
    "cyclonedx",
    "github",
)


class CommonOptions(NamedTuple):
    """The options every command accepts after its name."""

    format: str
    output: str
    quiet: bool
    verbose: bool
    no_color: bool
    offline: bool


def common_options(formats: Sequence[str]) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Add --format, -o, -q/-v, --no-color and --offline; run the command with errors mapped."""

    def decorate(command: Callable[..., int]) -> Callable[..., int]:
        @functools.wraps(command)
        def run(**kwargs: Any) -> int:
            opts = CommonOptions(
                format=kwargs.pop("format"),
                output=kwargs.pop("output"),
                quiet=kwargs.pop("quiet"),
                verbose=kwargs.pop("verbose"),
                no_color=kwargs.pop("no_color"),
                offline=kwargs.pop("offline"),
            )
            _configure_logging(opts)
            try:
                return command(opts=opts, **kwargs)
            except LicenseLintError as exc:
                _report_error(exc, opts.verbose)
                return EXIT_ERROR
            except KeyboardInterrupt:
                click.echo("license-lint: interrupted", err=True)
                return 130
            except Exception as exc:  # the gate must say "error", never crash into a pass
                _report_internal(exc, opts.verbose)
                return EXIT_ERROR

        options = [
            click.option(
                "--format",
                "-f",
                type=click.Choice(list(formats)),
                default=formats[0],
                show_default=True,
                help="Output format.",
            ),
            click.option(
                "--output",
                "-o",
                default="-",
                metavar="FILE",
                help="Write the output to FILE ('-' for standard output).",
            ),
            click.option("--quiet", "-q", is_flag=True, help="Print nothing but the output."),
            click.option(
                "--verbose", "-v", is_flag=True, help="Log each request; tracebacks on errors."
            ),
            click.option(
                "--no-color", is_flag=True, help="No ANSI colours (also when NO_COLOR is set)."
            ),
            click.option(
                "--offline",
                is_flag=True,
                help="Answer from the cache only (also when HF_HUB_OFFLINE=1).",
            ),
        ]
        wrapped: Callable[..., int] = run
        for option in reversed(options):
            wrapped = option(wrapped)
        return wrapped

    return decorate


def _configure_logging(opts: CommonOptions) -> None:
    import logging

    level = logging.DEBUG if opts.verbose else logging.ERROR if opts.quiet else logging.WARNING
    root = logging.getLogger("license_lint")
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_redacting_formatter())
    root.addHandler(handler)
    root.propagate = False


def _redacting_formatter() -> Any:
    import logging

    class RedactingFormatter(logging.Formatter):
        """Log lines never show the Hub token, whatever put it there."""

        def format(self, record: logging.LogRecord) -> str:
            return _redact(super().format(record))

    return RedactingFormatter("license-lint: %(message)s")


def _redact(text: str) -> str:
    from .hub import find_token, redact

    return redact(text, find_token(os.environ))


def _report_error(exc: LicenseLintError, verbose: bool) -> None:
    import traceback

    if verbose:
        click.echo(_redact(traceback.format_exc()), err=True)
    click.echo(_redact(f"license-lint: error: {exc}"), err=True)


def _report_internal(exc: Exception, verbose: bool) -> None:
    import traceback

    if verbose:
        click.echo(_redact(traceback.format_exc()), err=True)
    click.echo(
        _redact(
            f"license-lint: internal error: {type(exc).__name__}: {exc} "
            "(rerun with --verbose for the traceback, and please report it)"
        ),
        err=True,
    )


def write_output(text: str, output: str) -> None:
    """Write to standard output or, atomically, to a file."""
    import tempfile
    from pathlib import Path

    from .card import valid_text

    text = valid_text(text)

    if output == "-":
        click.echo(text, nl=False)
        return
    target = Path(output)
    if not target.parent.is_dir():
        raise InputError(
            f"cannot write {output}: folder {target.parent} does not exist",
            hint="create the folder or choose another --output",
        )
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent, delete=False, prefix=f".{target.name}."
        ) as handle:
            handle.write(text)
        os.replace(handle.name, target)
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror or exc}") from None


def _styler(opts: CommonOptions) -> Styler:
    from .textstyle import Styler, color_wanted

    return Styler(color=opts.output == "-" and color_wanted(sys.stdout, opts.no_color))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="license-lint")
def cli() -> None:
    """Check whether you may use open-weight AI models the way you intend to.

    license-lint reads model cards from the Hugging Face Hub (or local model folders),
    understands their licenses, and checks them against your organization's rules.

    Exit codes: 0 nothing at or above the failure level, 1 findings, 2 usage, configuration,
    input or fetch error (nothing checked is never a pass).
    """


@cli.command("card")
@click.argument("models", nargs=-1, required=True, metavar="MODEL...")
@common_options(formats=("text", "json"))
def card_command(opts: CommonOptions, models: tuple[str, ...]) -> int:
    """Show what license-lint reads from each model card.

    MODEL is a Hub id (owner/name, optionally @revision), datasets/owner/name for a dataset,
    a Hub URL, or a local model folder or README.md. Shows the commit, gating, license fields,
    base models, datasets and license files found.
    """
    from .cardview import render_json, render_text
    from .model import Severity
    from .reference import parse_reference

    refs = [parse_reference(m) for m in models]
    cards, errors = _read_cards(refs, opts)
    if opts.format == "json":
        text = render_json(cards, errors)
    else:
        text = render_text(cards, errors, _styler(opts))
    write_output(text, opts.output)
    for error in errors:
        click.echo(_redact(f"license-lint: error: {error.message}"), err=True)
    if errors:
        return EXIT_ERROR
    if any(f.severity is Severity.ERROR for c in cards for f in c.findings):
        return EXIT_FINDINGS
    return EXIT_OK


_RULES_OPTION = click.option(
    "--rules", "rules_file", metavar="FILE", help="Rules file (default: discovered)."
)
_FAIL_ON_OPTION = click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default="error",
    show_default=True,
    help="Lowest severity that fails a model.",
)


@cli.command("check")
@click.argument("models", nargs=-1, required=True, metavar="MODEL...")
@_RULES_OPTION
@_FAIL_ON_OPTION
@click.option(
    "--no-lineage", is_flag=True, help="Check only each model's own card, not its base models."
)
@common_options(formats=REPORT_FORMATS)
def check_command(
    opts: CommonOptions,
    models: tuple[str, ...],
    rules_file: str | None,
    fail_on: str,
    no_lineage: bool,
) -> int:
    """Check models against the organization's rules: pass or fail, why, and the duties.

    MODEL is a Hub id (owner/name, optionally @revision), a Hub URL, or a local model folder or
    README.md. Rules come from --rules, else .license-lint.yaml (or .yml) in this folder or a
    parent, else [tool.license-lint] in pyproject.toml, else the commercial-saas preset.

    Exit 0 when no model has a finding at or above --fail-on, 1 when one has, 2 when a model
    could not be checked (or on a usage or configuration error).
    """
    from pathlib import Path

    from .catalog import load_catalog
    from .model import Severity
    from .pipeline import run_checks
    from .reference import parse_reference
    from .rules import load_rules

    refs = [parse_reference(m) for m in models]
    catalog = load_catalog()
    rules = load_rules(rules_file, Path.cwd(), catalog)
    report = run_checks(
        refs,
        _fetcher(opts),
        catalog,
        rules,
        Severity(fail_on),
        progress=_progress(opts, len(refs)),
        lineage=not no_lineage,
    )
    return _finish(report, opts)


def _finish(report: Report, opts: CommonOptions) -> int:
    """Write the report (and, for --format github, the job summary and outputs); the exit code."""
    from .report import render

    write_output(render(report, opts.format, _styler(opts)), opts.output)
    outcome = _outcome(report)
    if opts.format == "github":
        _github_files(report, outcome)
    return {"error": EXIT_ERROR, "fail": EXIT_FINDINGS}.get(outcome, EXIT_OK)


def _outcome(report: Report) -> str:
    """The run's verdict: error (a model not checked), fail, or pass; the exit code follows it."""
    from .model import SEVERITY_ORDER

    if report.count("error"):
        return "error"
    level = SEVERITY_ORDER[report.fail_on]
    # Findings about the run itself (a waiver that matched nothing) count like a model's.
    run_fails = any(SEVERITY_ORDER[f.severity] >= level for f in report.findings)
    return "fail" if report.count("fail") or run_fails else "pass"


def _github_files(report: Report, outcome: str) -> None:
    """In a GitHub Actions job: the Markdown report as the job summary, and step outputs."""
    from .report.markdown import render_limited

    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        # GitHub refuses a step summary over 1 MiB; the limited report keeps what matters most.
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(render_limited(report))
    outputs = os.environ.get("GITHUB_OUTPUT")
    if outputs:
        active = sum(1 for r in report.results for f in r.findings if f.waiver is None)
        active += len(report.findings)
        with open(outputs, "a", encoding="utf-8") as handle:
            handle.write(f"verdict={outcome}\nfindings={active}\n")


def _fetcher(opts: CommonOptions) -> HubFetcher:
    from .cache import Cache, default_cache_dir
    from .fetch import HubFetcher
    from .hub import HubClient, settings_from_env

    settings = settings_from_env(offline=opts.offline)
    return HubFetcher(HubClient(settings), Cache(default_cache_dir()))


def _progress(opts: CommonOptions, total: int) -> Callable[[Any], None] | None:
    """Progress on standard error: a bar on a terminal, a line every tenth of a long run else."""
    if opts.quiet or total < 2:
        return None
    import threading

    done = [0]
    lock = threading.Lock()
    if sys.stderr.isatty():
        from rich.progress import Progress

        bar = Progress(transient=True, console=_stderr_console())
        task = bar.add_task("checking", total=total)
        bar.start()

        def advance(result: Any) -> None:
            with lock:
                done[0] += 1
                bar.advance(task)
                if done[0] == total:
                    bar.stop()

        return advance
    step = max(1, total // 10)

    def line(result: Any) -> None:
        with lock:
            done[0] += 1
            if total >= 20 and (done[0] % step == 0 or done[0] == total):
                click.echo(f"license-lint: checked {done[0]}/{total}", err=True)

    return line


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _inventory_options(command: Callable[..., int]) -> Callable[..., int]:
    """Where the models of an audit or a lock come from, and how they are checked."""
    options = [
        click.argument("models", nargs=-1, metavar="[MODEL...]"),
        click.option(
            "--file",
            "inventory",
            metavar="FILE",
            help="Models listed in a file: one per line, or YAML with revision and uses.",
        ),
        click.option("--author", metavar="ORG", help="Every model of a Hub organization or user."),
        click.option(
            "--scan", "scan_path", metavar="PATH", help="Model ids used in a code base (file:line)."
        ),
        _RULES_OPTION,
        _FAIL_ON_OPTION,
        click.option("--no-lineage", is_flag=True, help="Do not walk base models."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _inventory_run(
    opts: CommonOptions,
    models: tuple[str, ...],
    inventory: str | None,
    author: str | None,
    scan_path: str | None,
    rules_file: str | None,
    fail_on: str,
    no_lineage: bool,
) -> Report:
    """Gather the inventory from every source given, then check it."""
    from pathlib import Path

    from .catalog import load_catalog
    from .errors import UsageError
    from .inventory import merge_duplicates, read_inventory, scan
    from .model import ModelRef, Severity
    from .pipeline import run_checks
    from .reference import parse_reference
    from .rules import load_rules

    catalog = load_catalog()
    rules = load_rules(rules_file, Path.cwd(), catalog)
    fetcher = _fetcher(opts)
    refs: list[ModelRef] = [parse_reference(m) for m in models]
    if inventory:
        refs += read_inventory(inventory)
    if scan_path:
        refs += scan(scan_path)
    if author:
        # The client refuses a listing with an entry it cannot read, so every entry has an id.
        listed = list(fetcher.client.list_models(author=author))
        fetcher.remember(listed)
        refs += [ModelRef(repo_id=info["id"]) for info in listed]
        if not opts.quiet:
            click.echo(f"license-lint: {author} has {len(listed)} models", err=True)
    _check_uses(refs, catalog)
    # A model named twice (in the file and by the scan, say) is checked once, with all its uses.
    unique = merge_duplicates(refs)
    if not unique:
        raise UsageError(
            "nothing to check", hint="give model ids, --file FILE, --author ORG or --scan PATH"
        )
    if not opts.quiet:
        from .textstyle import clean

        for note in dict.fromkeys(n for r in unique for n in r.notes):
            click.echo(f"license-lint: {clean(note)}", err=True)
    return run_checks(
        unique,
        fetcher,
        catalog,
        rules,
        Severity(fail_on),
        progress=_progress(opts, len(unique)),
        lineage=not no_lineage,
    )


def _check_uses(refs: Sequence[ModelRef], catalog: Any) -> None:
    """Intended uses given in an inventory must be use categories of the taxonomy."""
    from .errors import InputError

    declarable = {e.id for e in catalog.taxonomy.values() if e.declarable}
    for ref in refs:
        for use in ref.uses:
            if use not in declarable:
                raise InputError(
                    f"'{use}' is not a use category of the taxonomy",
                    where=str(ref.origin) if ref.origin else None,
                    hint="`license-lint rules schema` lists the use categories",
                )


@cli.command("audit")
@_inventory_options
@click.option("--locked", is_flag=True, help="Fail models that changed since the lock file.")
@click.option("--lock", "lock_path", default="license-lint.lock", show_default=True, metavar="FILE")
@common_options(formats=REPORT_FORMATS)
def audit_command(
    opts: CommonOptions,
    locked: bool,
    lock_path: str,
    **inventory: Any,
) -> int:
    """Audit an inventory of models into a report (text, JSON, Markdown, HTML, SARIF, SBOMs).

    The inventory is any mix of model ids on the command line, --file (models.txt, or YAML
    with an optional revision and intended uses per model), --author (every model of a Hub
    organization, listed page by page) and --scan (model ids used in a code base, with the file
    and line of each). Models that cannot be fetched are reported as errors; the others are
    kept. With --locked, a model whose commit, license or verdict changed since
    license-lint.lock fails with license-drift.
    """
    from .lockfile import apply_drift, read_lock

    lock = read_lock(lock_path) if locked else None
    report = _inventory_run(opts, **inventory)
    if lock is not None:
        report = apply_drift(report, lock, lock_path)
    return _finish(report, opts)


@cli.command("lock")
@_inventory_options
@common_options(formats=("json",))
def lock_command(opts: CommonOptions, **inventory: Any) -> int:
    """Write license-lint.lock: each model's commit, licenses and verdict, to audit drift later.

    Takes the same inventory as audit; -o sets the file (default license-lint.lock).
    """
    from .lockfile import LOCK_FILE, render_lock

    report = _inventory_run(opts, **inventory)
    target = LOCK_FILE if opts.output == "-" else opts.output
    write_output(render_lock(report), target)
    if not opts.quiet:
        count = len(report.results)
        click.echo(f"license-lint: wrote {target} ({count} model{'s' * (count != 1)})", err=True)
    return EXIT_ERROR if report.count("error") else EXIT_OK


@cli.command("lint")
@click.argument("path", default=".", required=False)
@click.option("--name", metavar="NAME", help="The model's name on the Hub (default: folder name).")
@_RULES_OPTION
@_FAIL_ON_OPTION
@click.option("--no-lineage", is_flag=True, help="Do not fetch the base models from the Hub.")
@common_options(formats=REPORT_FORMATS)
def lint_command(
    opts: CommonOptions,
    path: str,
    name: str | None,
    rules_file: str | None,
    fail_on: str,
    no_lineage: bool,
) -> int:
    """Lint a model repository before it is published (default: the current folder).

    Reads README.md and the license files, and checks, as the publisher: the declared license
    against the base models' (fetched from the Hub unless --no-lineage or --offline), the
    LICENSE file, the Notice file and attribution the licenses ask for, the name prefix, and
    use restrictions passed on. Findings point at file and line.
    """
    from pathlib import Path

    from .catalog import load_catalog
    from .errors import InputError
    from .model import ModelRef, Severity
    from .pipeline import lint_repository
    from .rules import load_rules

    folder = Path(path)
    if not folder.exists():
        raise InputError(f"{path} does not exist", hint="give the model repository's folder")
    catalog = load_catalog()
    rules = load_rules(rules_file, Path.cwd(), catalog)
    model_name = name or (folder if folder.is_dir() else folder.parent).resolve().name
    report = lint_repository(
        ModelRef(path=path),
        _fetcher(opts),
        catalog,
        rules,
        Severity(fail_on),
        name=model_name,
        lineage=not no_lineage,
    )
    return _finish(report, opts)


@cli.group("rules")
def rules_group() -> None:
    """Write, validate and describe rules files (.license-lint.yaml)."""


@rules_group.command("init")
@click.option("--preset", default="commercial-saas", show_default=True, help="Starting point.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@common_options(formats=("text",))
def rules_init(opts: CommonOptions, preset: str, force: bool) -> int:
    """Write a commented starter rules file (.license-lint.yaml, or -o FILE)."""
    from pathlib import Path

    from .errors import UsageError
    from .rules import preset_text

    text = preset_text(preset)
    target = ".license-lint.yaml" if opts.output == "-" else opts.output
    if Path(target).exists() and not force:
        raise UsageError(f"{target} already exists", hint="use --force to overwrite it")
    write_output(text, target)
    if not opts.quiet:
        click.echo(
            f"wrote {target} from the {preset} preset; edit it, then run "
            f"`license-lint rules validate {target}`",
            err=True,
        )
    return EXIT_OK


@rules_group.command("validate")
@click.argument("file", required=False)
@common_options(formats=("text", "json"))
def rules_validate(opts: CommonOptions, file: str | None) -> int:
    """Validate a rules file (default: the one check would discover)."""
    import json
    from pathlib import Path

    from .catalog import load_catalog
    from .rules import load_rules

    rules = load_rules(file, Path.cwd(), load_catalog())
    if opts.format == "json":
        text = json.dumps({"valid": True, "source": rules.source}) + "\n"
    else:
        text = f"{rules.source}: valid\n"
    write_output(text, opts.output)
    return EXIT_OK


@rules_group.command("schema")
@common_options(formats=("json",))
def rules_schema_command(opts: CommonOptions) -> int:
    """Print the JSON Schema of rules files, with the catalog's ids, for editors."""
    import json

    from .catalog import load_catalog
    from .rules import rules_schema

    write_output(json.dumps(rules_schema(load_catalog()), indent=2) + "\n", opts.output)
    return EXIT_OK


@cli.command("licenses")
@common_options(formats=("text", "json"))
def licenses_command(opts: CommonOptions) -> int:
    """List the licenses license-lint knows: id, family, commercial use, restrictions."""
    from .catalog import load_catalog
    from .licenseview import render_licenses

    write_output(render_licenses(load_catalog(), opts.format, _styler(opts)), opts.output)
    return EXIT_OK


@cli.command("explain")
@click.argument("license_id", metavar="LICENSE")
@common_options(formats=("text", "json"))
def explain_command(opts: CommonOptions, license_id: str) -> int:
    """Explain one license in plain language, with clause references.

    LICENSE is a catalog id (as `licenses` lists them), a Hub license id, an SPDX id or a
    license_name spelling seen on model cards.
    """
    from .catalog import load_catalog
    from .errors import UsageError
    from .licenseview import render_explain

    catalog = load_catalog()
    found = (
        catalog.get(license_id)
        or catalog.get(catalog.find_hub(license_id) or "")
        or catalog.get(catalog.find_spdx(license_id) or "")
        or catalog.get(catalog.find_name(license_id) or "")
    )
    if found is None:
        close = catalog.closest(license_id)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise UsageError(
            f"'{license_id}' is not a license in the catalog",
            hint=f"{hint}`license-lint licenses` lists them all",
        )
    write_output(render_explain(found, catalog, opts.format, _styler(opts)), opts.output)
    return EXIT_OK


@cli.command("identify")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@common_options(formats=("text", "json"))
def identify_command(opts: CommonOptions, files: tuple[str, ...]) -> int:
    """Identify license texts (LICENSE, LICENSE-MODEL, USE_POLICY.md ...) by their fingerprints.

    Prints the catalog id, version, confidence and the strings that decided it; texts that match
    no fingerprint clearly are reported as unknown, texts holding several licenses list them,
    and a permissive text with terms added to it is only of medium confidence, with a note.
    """
    from .catalog import load_catalog
    from .identify import identify
    from .licenseview import render_identify

    catalog = load_catalog()
    results = [(path, identify(_read_text_file(path), catalog)) for path in files]
    write_output(render_identify(results, opts.format, _styler(opts)), opts.output)
    return EXIT_OK


MAX_TEXT_BYTES = 5 * 1024 * 1024


def _read_text_file(path: str) -> str:
    """A local text file, refusing folders, huge files and undecodable bytes with a clear error."""
    from pathlib import Path

    file = Path(path)
    if not file.is_file():
        raise InputError(f"{path} is not a file", hint="give the path of a license text")
    size = file.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise InputError(f"{path} is {size:,} bytes, over the {MAX_TEXT_BYTES:,} byte limit")
    data = file.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _read_cards(
    refs: Sequence[ModelRef], opts: CommonOptions
) -> tuple[list[Card], list[CardError]]:
    """Fetch the cards of several references concurrently, keeping their order."""
    from concurrent.futures import ThreadPoolExecutor

    from .cardview import CardError
    from .model import Card

    fetcher = _fetcher(opts)

    def one(ref: ModelRef) -> Card | CardError:
        try:
            return fetcher.card(ref)
        except LicenseLintError as exc:
            return CardError(str(ref), type(exc).__name__, str(exc))

    with ThreadPoolExecutor(max_workers=min(8, len(refs))) as pool:
        results = list(pool.map(one, refs))
    cards = [r for r in results if isinstance(r, Card)]
    errors = [r for r in results if isinstance(r, CardError)]
    return cards, errors


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: click's usage errors exit 2, like every other error."""
    try:
        code = cli.main(args=argv, prog_name="license-lint", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = EXIT_ERROR
    except click.exceptions.Abort:
        click.echo("license-lint: aborted", err=True)
        code = EXIT_ERROR
    sys.exit(code if isinstance(code, int) else EXIT_OK)
