"""How a person verifies a draw offline: the proof's file name and the command that checks it. One name, made here,
serves both the download (Content-Disposition) and the command shown on the page, so that the command copies and
pastes as it stands next to the file the browser saved. Pure: no Django."""

from __future__ import annotations

from typing import Any


def proof_filename(code: str, round: int, *, panel: bool = False) -> str:
    """`GD-2026-0002-round1-proof.json`; an expert panel's `CG-2026-0002-round1-panel-proof.json`."""
    return f"{code}-round{round}-{'panel-' if panel else ''}proof.json"


def verify_command(filename: str, proof: dict[str, Any]) -> str:
    """`python verify.py FILE --commitment … --candidates-digest … [--record-digest …]`: the values the page
    publishes (the commitment at publication, the digest at the close, the record digest at the draw)."""
    options = [("--commitment", proof.get("commitment")), ("--candidates-digest", proof.get("candidates_digest")),
               ("--record-digest", proof.get("record_digest"))]
    return " ".join(["python", "verify.py", filename, *(f"{name} {value}" for name, value in options if value)])
