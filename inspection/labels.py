"""The ledger's words as inspectors read them: an action code by its Chinese name, a model label by its verbose
name, a role by its label, an object by its name. One mapping for the pages and the PDF export; the CSV keeps the
codes (a machine reads it). A code without a name (a new event nobody named yet) is shown as it is."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from audit.models import LedgerEntry
from core.roles import Role

ACTIONS = {
    "create": _("新建"), "update": _("修改"), "delete": _("删除"),
    "login": _("登录"), "logout": _("退出登录"), "login_failed": _("登录失败"), "access_denied": _("拒绝访问"),
    "api_token_issued": _("发放 API 令牌"), "api_token_revoked": _("吊销 API 令牌"),
    "auth_groups_changed": _("用户组变更"), "auth_permissions_changed": _("用户权限变更"),
    "auth_group_permissions_changed": _("用户组权限变更"),
    "audit_exported": _("导出审计记录"), "audit_verified": _("核验审计链"), "history_rebased": _("历史记录重建基线"),
    "note": _("备注"), "numbers_recorded": _("记录编号"),
    "registration_list_viewed": _("查看报名名单"), "sealed_registrations_opened": _("启封截止前报名记录"),
    "draw_commitment_published": _("公布抽取承诺值"), "draw_candidates_frozen": _("冻结候选名单"),
    "draw_input_sealed": _("密封公开输入"), "draw_input_revealed": _("揭示公开输入"),
    "draw_completed": _("完成抽取"), "draw_refused": _("拒绝抽取"),
    "panel_requested": _("申请抽取评标专家"), "panel_input_sealed": _("密封专家抽取输入"),
    "panel_input_revealed": _("揭示专家抽取输入"), "panel_drawn": _("抽取评标专家"),
    "panel_member_replaced": _("递补评标专家"),
    "draw_sources_announced": _("公布随机源"), "draw_sources_entered": _("录入随机源数值"),
    "bid_box_prepared": _("准备投标箱"), "bid_submitted": _("递交投标文件"), "bid_withdrawn": _("撤回投标文件"),
    "bid_round_mode_set": _("设置投标文件加密方式"), "opening_key_registered": _("登记开标密钥"),
    "opening_shares_posted": _("提交开标密钥分片"), "bid_decrypted": _("解密投标文件"),
    "bid_document_read": _("查阅投标文件"), "opening_confirmed": _("确认开标记录"), "record_signed": _("电子签名"),
    "bids_closed": _("投标截止"), "bids_opened": _("开标"), "scores_submitted": _("提交评分"),
    "evaluation_finished": _("结束评标"), "candidate_withdrawn": _("中标候选人放弃"),
    "objection_raised": _("提出异议"), "objection_answered": _("答复异议"),
    "auction_started": _("开始拍卖"), "auction_bid": _("竞价"), "auction_hammer": _("落槌"),
    "recording_stored": _("录像入库"), "recording_refused": _("拒收录像"), "recording_played": _("回放录像"),
    "recording_purged": _("录像到期清除"), "recording_delete_refused": _("拒绝删除录像"),
    "recording_derivation_failed": _("录像分析失败"), "recording_legal_hold_set": _("录像法律保全"),
    "recording_legal_hold_released": _("解除录像法律保全"), "recording_retention_extended": _("延长录像保存期"),
    "record_downloaded": _("下载记录文件"), "dossier_built": _("生成项目档案"), "dossier_downloaded": _("下载项目档案"),
    "bench_event": _("基准测试事件"), "bench_note": _("基准测试备注"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def model_label(label: str) -> str:
    """`trading.User` as 用户: the model's verbose name, or the label itself for a model no longer present."""
    try:
        return str(apps.get_model(label)._meta.verbose_name) if label else ""
    except (LookupError, ValueError):
        return label


def role_label(code: str) -> str:
    return str(Role(code).label) if code in Role.values else code


def object_names(entries: Iterable[LedgerEntry]) -> dict[tuple[str, str], str]:
    """The current name of each entry's object, one query per model. An entry sealed now names nothing (its
    object would say whom it concerns); an object since deleted has no name."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.object_type and entry.object_id and not getattr(entry, "sealed", False):
            wanted[entry.object_type].add(entry.object_id)
    names: dict[tuple[str, str], str] = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        keys = [i for i in ids if i.isdigit()] if model._meta.pk.get_internal_type().endswith("AutoField") else ids
        for obj in model._default_manager.filter(pk__in=keys):
            names[(label, str(obj.pk))] = str(obj)
    return names


def labelled(rows: list[tuple[LedgerEntry, Any]]) -> list[tuple[LedgerEntry, Any, str]]:
    """Timeline rows (entry, diff) with the name of the entry's object ("" when it has none to show)."""
    names = object_names(entry for entry, _diff in rows)
    return [(entry, diff, names.get((entry.object_type, entry.object_id), "")) for entry, diff in rows]
