from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.checks.write_denied_at_runtime import node_span
from hfdeploy.dockerfile.copies import pip_installs
from hfdeploy.dockerfile.stage import DOCKERFILE, Step, is_root, runtime
from hfdeploy.dockerfile.writable import ImageUser, image_user, line_text
from hfdeploy.pysource.startup import Use, startup

if TYPE_CHECKING:
    from hfdeploy.project import Project

_MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,95}(?:/[A-Za-z0-9][A-Za-z0-9_.-]{0,95})?")


def hub_id(use: Use) -> str | None:
    """The Hub repository a load downloads, when it is written as a literal."""
    model = use.model_id
    if model is None or not _MODEL_ID.fullmatch(model) or model.endswith((".py", ".json")):
        return None
    if use.kind == "SentenceTransformer" and "/" not in model:
        return f"sentence-transformers/{model}"  # how sentence-transformers resolves short names
    return model


def download_step(model: str, revision: str | None) -> str:
    extra = f", revision='{revision}'" if revision else ""
    return (
        'RUN python -c "from huggingface_hub import snapshot_download; '
        f"snapshot_download('{model}'{extra})\""
    )


class ModelDownloadedAtStart(Check):
    """## What it does
    Reports models the served app downloads when it starts (at import, in a startup handler or
    a lifespan): `from_pretrained("<id>")`, `pipeline(model="<id>")`, `hf_hub_download`,
    `snapshot_download` or `SentenceTransformer("<id>")`, when no build step of the Dockerfile
    downloads that model into the image.

    ## Why is this bad?
    The Space is *Starting* until the app answers. A download of hundreds of megabytes or
    more at every start (every push, restart and wake-up: the disk is not persistent) makes
    the start slow, and a large one ends in `Launch timed out, workload was not healthy after
    30 min`. A download during the build happens once per build, and the start only reads
    the cache.

    ## Example
    ```python
    classifier = pipeline("sentiment-analysis", model="distilbert-base-uncased-finetuned-sst-2-english")
    ```

    Add to the Dockerfile, after the requirements are installed, as the runtime user:
    ```dockerfile
    RUN python -c "from huggingface_hub import snapshot_download; snapshot_download('distilbert-base-uncased-finetuned-sst-2-english')"
    ```

    ## Fix safety
    Safe, offered only for a literal model id, and only where the new step runs as the user
    who runs the app with the same `HOME`/`HF_HOME`, so the app finds the files in the cache
    it reads. It goes after the last `pip install` (or before `CMD`). A model id computed at
    run time (a variable, a setting) gets no fix: the finding names the call to change.
    """

    code = "DF032"
    name = "model-downloaded-at-start"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        iu = image_user(project)
        if rt is None or iu is None:
            return
        st = startup(project)
        built = " ".join(s.ins.text for s in rt.of("RUN"))
        seen: set[str] = set()
        for use in st.hub_loads:
            if not use.at_start or use.kind == "nltk.download" or use.local:
                continue
            model = hub_id(use)
            if model is not None and (model in built or (use.model_id or "") in built):
                continue
            key = model or f"{use.path}:{use.line}"
            if key in seen:
                continue
            seen.add(key)
            fix = None
            if model is not None:
                fix = self._fix(project, use, model)
            what = f"`{model}`" if model else "a model whose id is not written in the code"
            yield self.diagnostic(
                f"`{use.kind}` downloads {what} when the app starts; a large model keeps the "
                "Space *Starting* until `Launch timed out, workload was not healthy after 30 "
                "min`: download it during the build",
                path=use.path,
                span=node_span(project, use),
                fix=fix,
                notes=()
                if model
                else (
                    (
                        'Add a build step `RUN python -c "from huggingface_hub import '
                        "snapshot_download; snapshot_download('<id>')\"` with the literal id"
                    ),
                ),
            )

    def _fix(self, project: Project, use: Use, model: str) -> Fix | None:
        rt = runtime(project)
        iu = image_user(project)
        assert rt is not None and iu is not None
        revision_node = next(
            (k.value for k in getattr(use.node, "keywords", []) if k.arg == "revision"), None
        )
        revision = None
        if revision_node is not None:
            if not (
                isinstance(revision_node, ast.Constant) and isinstance(revision_node.value, str)
            ):
                return None
            revision = revision_node.value
            if not _MODEL_ID.fullmatch(revision):
                return None
        if is_root(rt.user) or not iu.can_write(iu.hf_home()):
            return None  # DF031 first: the cache must belong to the runtime user
        at = self._insert_point(rt.steps, rt.user, iu.hf_home(), iu)
        if at is None:
            return None
        step = download_step(model, revision)
        return Fix(
            f"Download `{model}` during the build",
            (Edit.insert(DOCKERFILE, at, line_text(rt, step, at)),),
        )

    @staticmethod
    def _insert_point(steps: list[Step], user: str, cache: str, iu: ImageUser) -> int | None:
        rt = iu.rt
        installs = pip_installs(rt)
        candidates: list[Step] = []
        if installs:
            index = steps.index(installs[-1].step)
            candidates += steps[index + 1 :]
        candidates += [s for s in steps if s.ins.keyword in ("CMD", "ENTRYPOINT")]
        final = _hub_env(rt.env)
        for step in candidates:
            if step.user == user and iu.hf_home(step.env) == cache and _hub_env(step.env) == final:
                return step.ins.span.start
        return None


def _hub_env(env: dict[str, str]) -> dict[str, str]:
    """The variables a Hub download reads: where to (`HOME`, `HF_HOME`, ...) and from
    (`HF_ENDPOINT`); the build step must see the values the app sees."""
    prefixes = ("HF_", "HUGGINGFACE", "TRANSFORMERS", "SENTENCE_TRANSFORMERS", "XDG_")
    return {k: v for k, v in env.items() if k.startswith(prefixes) or k == "HOME"}
