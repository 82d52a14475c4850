"""{% verify_steps %}: the three steps under every published draw (the proof, the verifier, the command), the same
on the fixed-price result, the candidates' publicity and the expert-panel pages."""

from django import template
from django.urls import reverse

from lottery.verification import proof_filename, verify_command

register = template.Library()


@register.inclusion_tag("lottery/_verify_steps.html")
def verify_steps(code: str, round: int, proof: dict, *, panel: bool = False) -> dict:
    filename = proof_filename(code, round, panel=panel)
    return {"proof_url": reverse("api-panel-proof" if panel else "api-proof", args=[code]), "filename": filename,
            "command": verify_command(filename, proof), "record_digest": proof.get("record_digest")}
