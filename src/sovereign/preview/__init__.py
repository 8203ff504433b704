"""The release preview: ``preview-<tag>.html``, one self-contained page showing
what people will see (notes, Slack, Discord, Teams, checks, Grafana), built from
the artifact files alone. Every stage calls :func:`refresh` at the end of its run,
so whichever stages ran, the page shows what they left."""

from __future__ import annotations

from pathlib import Path

from sovereign import artifacts
from sovereign.gha import Step
from sovereign.github_env import run_url
from sovereign.markdown import code
from sovereign.preview.page import build


def summary_line(path: Path, run: str, workspace: Path) -> str:
    shown = path.relative_to(workspace) if workspace in path.parents else path
    where = f" in [the run's artifacts]({run}#artifacts) once the directory is uploaded" if run else ""
    return f"Release preview: {code(str(shown))}{where} — open it in a browser.\n"


def refresh(directory: Path, tag: str, step: Step) -> Path | None:
    """Rewrite the preview from the artifacts in ``directory``; a failure to write it is a warning, never fatal."""
    try:
        path = artifacts.write(
            directory, artifacts.file_name("preview", tag, "html"), build(directory, tag, step.stage), step
        )
    except OSError as err:
        step.warning(f"the release preview was not written: {err.strerror or err}")
        return None
    step.info(f"preview: {path}")
    step.summary(summary_line(path, run_url(step.environ), artifacts.workspace(step.environ)))
    return path
