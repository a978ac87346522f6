"""`cxloop analyze`: analyses every comment again (new ones first) with a progress bar."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cxloop.core.database import make_engine, make_sessionmaker

err = Console(stderr=True, soft_wrap=True)


def analyze(
    workspace: Annotated[
        str | None, typer.Option(help="Workspace slug (default: every workspace).")
    ] = None,
    new_only: Annotated[
        bool, typer.Option(help="Only comments not analysed yet (skip re-analysis).")
    ] = False,
) -> None:
    """Analyse comments (language, sentiment, themes, key phrases); safe to run again."""
    from cxloop.accounts import service as accounts
    from cxloop.cli import runtime
    from cxloop.comments import repository, service
    from cxloop.core.settings import Settings

    settings = Settings()
    runtime.initialise(settings)
    engine = make_engine(settings.sqlalchemy_url)
    factory = make_sessionmaker(engine)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    try:
        with factory() as db:
            if workspace:
                with runtime.session(settings) as check:
                    ids = [accounts.get_workspace(check, workspace).id]
            else:
                ids = repository.workspace_ids(db)
            for workspace_id in ids:
                new = 0
                while added := service.analyse_pending(db, workspace_id, settings.text_analyser):
                    new += added
                    db.commit()
                total = repository.count_comments(db, workspace_id)
                again = 0
                if not new_only:
                    with Progress(*columns, console=err, transient=True) as progress:
                        task = progress.add_task("analysing", total=total)
                        again = service.reanalyse(
                            db,
                            workspace_id,
                            settings.text_analyser,
                            progress=partial(progress.advance, task),
                            commit=db.commit,
                        )
                db.commit()
                err.print(f"workspace {workspace_id}: {new} new comments, {again} re-analysed")
    finally:
        engine.dispose()
