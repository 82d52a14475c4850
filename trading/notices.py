"""The centre's notice texts: the notice to drawn enterprises (随机抽取企业须知), published with every fixed-price
announcement, and the room rules put up in the rooms (会议纪律, 评标专家须知, 监督管理人员须知). The administrator
publishes new versions (trading.services.notices); until the first, version 1 is the default text below.

The notice to drawn enterprises may name the project's figures through placeholders, filled in when a project is
published: {固定合同价}, {在建上限}, {签约天数}, {暂停天数}."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings

from trading.models import NoticeKind, NoticeText, Project

PLACEHOLDERS = ("固定合同价", "在建上限", "签约天数", "暂停天数")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

# The centre's own texts, stored as data (like a project's title), so they stay Chinese in every interface
# language: these are version 1 of each kind until the administrator publishes another.
DEFAULT_TEXTS = {
    NoticeKind.DRAWN_ENTERPRISES: (
        "一、本项目采用固定价比选方式，固定合同价为人民币{固定合同价}元，中选企业不得以任何理由要求调整。\n"
        "二、报名企业须具备招标公告要求的资质等级和有效的安全生产许可证，拟派项目经理不得有在建项目。\n"
        "三、已中选未完工的固定价项目达到{在建上限}个的企业，不得参与本次抽取。\n"
        "四、中选企业须在中选通知发出后{签约天数}日内签订合同；逾期未签的，记入不良行为记录，"
        "暂停固定价比选资格{暂停天数}日，由下一顺位企业递补。\n"
        "五、抽取全程录像并由现场监督人员监督，抽取结果及验证材料向社会公开，任何人均可独立验证。\n"
        "六、企业不得出借资质、围标串标或转包，一经查实移送纪检监察机关处理。"
    ),
    NoticeKind.MEETING_DISCIPLINE: (
        "一、进入开标、评标、抽取现场的人员须按时签到，佩戴中心统一制作的工作牌。\n"
        "二、现场保持安静，手机调至静音，不得随意走动、喧哗或交头接耳。\n"
        "三、未经许可不得录音、录像、拍照，不得将现场资料带离。\n"
        "四、投标人对开标、抽取过程有异议的，应当场提出，由现场监督人员记录在案。\n"
        "五、现场全程录像，录像保存不少于60日；违反纪律的，由现场监督人员予以制止并记录。"
    ),
    NoticeKind.EXPERTS: (
        "一、评标专家应按时到场签到，出示身份证明，交存通讯工具。\n"
        "二、与投标人有利害关系的，应主动申请回避。\n"
        "三、客观公正地履行职责，遵守职业道德，按照招标文件规定的评标标准和方法独立评审，对所提意见承担个人责任。\n"
        "四、不得私下接触投标人，不得收受投标人的财物或者其他好处，不得透露评标情况。\n"
        "五、评标结束后在评标报告上签字；有不同意见的，以书面方式阐述并说明理由。"
    ),
    NoticeKind.SUPERVISORS: (
        "一、监督管理人员应按时到场签到，佩戴工作牌，全程监督开标、评标、抽取活动。\n"
        "二、不得干预评标专家评审，不得对评审内容发表倾向性意见。\n"
        "三、发现违法违规行为的，应当场制止，记录在案并及时报告。\n"
        "四、对评审过程和结果负有保密义务，不得泄露应当保密的情况。\n"
        "五、与投标人有利害关系的，应主动回避。"
    ),
}


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def unknown_placeholders(kind: str, text: str) -> list[str]:
    """Placeholders the text names that the kind does not fill in (only the drawn-enterprises notice has any)."""
    known = PLACEHOLDERS if kind == NoticeKind.DRAWN_ENTERPRISES else ()
    return [name for name in PLACEHOLDER.findall(text) if name not in known]


def default_version(kind: str) -> NoticeText:
    """Version 1 as it stands until it is published (unsaved)."""
    text = DEFAULT_TEXTS[NoticeKind(kind)]
    return NoticeText(kind=kind, version=1, text=text, sha256=text_sha256(text))


def render_notice(version: NoticeText, project: Project) -> str:
    """The project's 随机抽取企业须知: the version's text with the project's figures in it."""
    values = {
        "固定合同价": f"{project.fixed_price:,.2f}" if project.fixed_price is not None else "—",
        "在建上限": str(settings.FPS_MAX_ONGOING), "签约天数": str(settings.SIGN_DAYS),
        "暂停天数": str(settings.SUSPENSION_DAYS),
    }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), version.text)
