"""Example data for every record, shaped as the Django side fills it: used by the tests, the benchmark and
docs/pdf.md. Values are fictional; the USCC codes carry valid check digits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

AT = dt.datetime(2025, 10, 20, 2, 30, tzinfo=dt.UTC)  # 10:30 in Shanghai
PROJECT = {
    "code": "GJ-FPS-2025-0217", "title": "城关镇第二小学教学楼维修改造工程", "type": "固定价比选",
    "tenderer": "城关镇人民政府", "agency": "县公共资源交易中心", "budget": Decimal("1860000.00"),
    "fixed_price": Decimal("1795000.00"),
}
CENTRE = "某县公共资源交易中心"
ENTERPRISES = [
    ("91110000600037341L", "县第一建筑工程有限公司"),
    ("91310000132212297F", "Ünïcödé & <b>建设</b> Co., Ltd."),
    ("91440300192185379H", "王\u00b7李建筑劳务有限公司"),
    ("91330000142911397A", "𠀀源市政工程有限公司"),
]


def common(**extra) -> dict:
    return {"project": dict(PROJECT), "issued_at": AT, "centre": CENTRE, **extra}


def draw_record(verify_url: str = "https://jiaoyi.example.cn/lottery/GJ-FPS-2025-0217/verify") -> dict:
    ranking = [code for code, _ in ENTERPRISES]
    return common(
        drawn_at=AT, room="第一抽取室", supervisors=["张监督", "李监督"], operator="赵操作",
        proof={
            "protocol": "fps-draw-v1", "commitment": "3f" * 32, "candidates_digest": "a1" * 32,
            "public_inputs": [{"source": "监督员 张监督", "value": "48213"},
                              {"source": "监督员 李监督", "value": "90017"},
                              {"source": "福利彩票双色球第2025120期开奖号码", "value": "03 07 12 19 25 31 + 09"}],
            "secret": "5c" * 32, "seed": "e7" * 32, "ranking": ranking, "selected": 1,
        },
        commitment_published_at=AT - dt.timedelta(days=10), digest_published_at=AT - dt.timedelta(hours=2),
        names={code: name for code, name in ENTERPRISES}, proof_sha256="9d" * 32, verify_url=verify_url,
    )


def evaluation_report(bidders: int = 6, experts: int = 5) -> dict:
    criteria = [{"key": "price", "name": "价格", "max": 30}, {"key": "tech", "name": "技术方案", "max": 40},
                {"key": "schedule", "name": "工期保证", "max": 15}, {"key": "credit", "name": "企业信誉", "max": 15}]
    panel = [{"id": f"E{n}", "name": f"评审专家{n:02d}", "specialty": "房屋建筑工程"} for n in range(1, experts + 1)]
    names = [f"投标单位{n:03d}建设集团有限公司" for n in range(1, bidders + 1)]
    scores, ranking = [], []
    for b, bidder in enumerate(names):
        for e, expert in enumerate(panel):
            values = {c["key"]: Decimal(c["max"]) - Decimal((b * 7 + e * 3 + i) % 9) / 2
                      for i, c in enumerate(criteria)}
            scores.append({"bidder": bidder, "expert": expert["id"], "values": values,
                           "subtotal": sum(values.values())})
        total = sum(s["subtotal"] for s in scores[-experts:]) / experts
        ranking.append({"bidder": bidder, "price": Decimal("1700000.00") + 3100 * b, "total": total.quantize(
            Decimal("0.01"))})
    ranking.sort(key=lambda r: -r["total"])
    for rank, row in enumerate(ranking, start=1):
        row.update(rank=rank, candidate=rank <= 3)
    return common(method="综合评估法", evaluated_at=AT, room="第二评标室", experts=panel, criteria=criteria,
                  scores=scores, ranking=ranking,
                  conclusion="评标委员会按招标文件规定的评标办法独立评审，推荐排名前三的投标人为中标候选人。")


def bid_opening_record() -> dict:
    return common(
        opened_at=AT, room="第一开标室", host="钱主持", ceiling_price=Decimal("1860000.00"),
        attendees=[{"name": "钱主持", "organisation": CENTRE, "role": "主持人"},
                   {"name": "张监督", "organisation": "县财政局", "role": "现场监督"},
                   *({"name": f"代表{i}", "organisation": name, "role": "投标人代表"}
                     for i, (_, name) in enumerate(ENTERPRISES, start=1))],
        bids=[{"bidder": name, "price": Decimal("1790000.00") + 25000 * i, "duration": "180日历天",
               "terms": "质保两年", "valid": i != 3, "reason": "投标报价超过最高投标限价" if i == 3 else ""}
              for i, (_, name) in enumerate(ENTERPRISES)],
        objections=[{"raised_by": "代表2", "content": "对第4号投标文件的密封情况有异议。",
                     "answer": "经现场监督核查，密封完好，异议不成立。"}],
    )


def announcement() -> dict:
    return common(published_at=AT, deadline=AT + dt.timedelta(days=7),
                  body="本项目采用固定价比选方式确定施工单位，现邀请符合条件的企业报名。",
                  requirements=["具有建筑工程施工总承包三级及以上资质", "具有有效的安全生产许可证",
                                "拟派项目经理无在建项目"],
                  notice="一、本项目固定合同价为人民币 1,795,000.00 元。\n二、中选企业须在 30 日内签订合同。",
                  contact="县公共资源交易中心 电话 0000-1234567")


def registration_list() -> dict:
    return common(deadline=AT, reviewer="孙审查", candidates=[
        {"name": name, "uscc": code, "registered_at": AT - dt.timedelta(days=3), "eligible": i != 1,
         "reasons": ["资质等级符合", "安全生产许可证有效"] if i != 1 else ["已中选未完工项目 2 个，达到上限"],
         "override": "复核项目经理社保记录后确认" if i == 2 else None}
        for i, (code, name) in enumerate(ENTERPRISES)])


def award_notice() -> dict:
    code, name = ENTERPRISES[0]
    return common(winner={"name": name, "uscc": code}, price=PROJECT["fixed_price"], duration="180日历天",
                  sign_by=dt.date(2025, 11, 19), issuer="城关镇人民政府")


def attendance_sheet() -> dict:
    return common(session={"kind": "固定价比选抽取", "room": "第一抽取室", "starts_at": AT},
                  attendees=[{"name": "张监督", "organisation": "县财政局", "role": "现场监督", "signed_in_at": AT},
                             {"name": "赵操作", "organisation": CENTRE, "role": "操作人员", "signed_in_at": AT}])


def followup_report() -> dict:
    return common(staff="周跟踪", period="2025年10月", contract={
        "contractor": ENTERPRISES[0][1], "signed_at": dt.date(2025, 9, 1), "price": PROJECT["fixed_price"],
        "due": dt.date(2026, 2, 28)},
        milestones=[{"name": "基础施工", "due": dt.date(2025, 10, 1), "done_at": dt.date(2025, 9, 28),
                     "status": "已完成"},
                    {"name": "主体结构", "due": dt.date(2025, 11, 15), "status": "逾期预警",
                     "note": "劳务人员不足，进度滞后约 10 天"}],
        issues=[{"found_at": dt.date(2025, 10, 12), "description": "项目经理未按承诺到岗",
                 "action": "约谈企业负责人，限期整改", "referral": "否"}],
        summary="总体进度滞后，已督促整改，下月复查。")
