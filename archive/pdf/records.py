"""The PDF records of a project, one builder each, fed plain dicts (the Django side fills them).

Every builder takes `data` with at least:
  project    {"code", "title"} and, where known, "type" (label), "tenderer", "agency", "budget", "fixed_price"
  issued_at  aware datetime or ISO 8601 text: the record's date, also the PDF's creation date
  centre     optional: the trading centre's name, printed above the title
Money is Decimal (yuan), times are aware datetimes (printed in Asia/Shanghai), dates are dates. Missing optional
values print as "—". The content digest on the last page is `content_digest(data)` of exactly this dict."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm

from archive.pdf.document import BLANK, RecordDocument, money, text


def _project_facts(doc: RecordDocument, data: dict, *extra: tuple[str, Any]) -> None:
    project = data["project"]
    doc.facts([
        ("交易类型", project.get("type")), ("招标人", project.get("tenderer")),
        ("代理机构", project.get("agency")), ("预算金额", money(project.get("budget"))),
        *extra,
    ])


ANNOUNCEMENT_TITLES = {"土地拍卖": "国有建设用地使用权拍卖出让公告", "资产转让": "国有资产转让公告"}


def build_announcement(data: dict) -> bytes:
    """The announcement, titled for its trading type: 招标公告 (procurement, fixed-price selection), 国有建设用地使用权
    拍卖出让公告 (land auction, `kind` "土地拍卖"), 国有资产转让公告 (asset transfer, `kind` "资产转让"). Keys:
    published_at, deadline, body (text), requirements (list of text: 资格要求, or 竞买人资格 for an auction),
    auction (optional: {starting_price, increment, method}), notice (optional: 随机抽取企业须知), contact
    (optional); project.fixed_price for fixed-price selection."""
    kind = data.get("kind")
    auction = data.get("auction") or {}
    doc = RecordDocument(data, title=ANNOUNCEMENT_TITLES.get(kind, "招标公告"))
    deadline_label = "竞买申请截止时间" if kind in ANNOUNCEMENT_TITLES else "报名截止时间"
    extra = [("起始价", money(auction.get("starting_price"))), ("加价幅度", money(auction.get("increment"))),
             ("竞价方式", auction.get("method"))] if kind in ANNOUNCEMENT_TITLES else [
             ("固定合同价", money(data["project"].get("fixed_price")))]
    _project_facts(doc, data, *extra, ("发布时间", data["published_at"]), (deadline_label, data["deadline"]))
    doc.heading("一、公告内容")
    doc.paragraph(data["body"])
    doc.heading("二、竞买人资格" if kind in ANNOUNCEMENT_TITLES else "二、资格要求")
    for number, requirement in enumerate(data.get("requirements", []), start=1):
        doc.paragraph(f"{number}. {requirement}")
    if not data.get("requirements"):
        doc.paragraph("无特别资格要求。")
    if data.get("notice"):
        doc.heading("三、随机抽取企业须知")
        doc.paragraph(data["notice"])
    if data.get("contact"):
        doc.heading("联系方式")
        doc.paragraph(data["contact"])
    return doc.to_bytes()


def build_auction_result(data: dict) -> bytes:
    """成交确认书 of a land auction, or 国有资产转让成交确认书 of an asset transfer (`kind` "资产转让"). Keys:
    subject (what was sold), seller (出让人 / 转让方), winner {name, uscc, number (竞买号牌)}, hammer_price,
    starting_price, increment, started_at, hammered_at, room, auctioneer, bids [{seq, number, amount, at}],
    sign_days (the contract must be signed within so many days)."""
    asset = data.get("kind") == "资产转让"
    title = "国有资产转让成交确认书" if asset else "成交确认书"
    doc = RecordDocument(data, title=title)
    winner = data["winner"]
    party, seller_label = ("受让方", "转让方") if asset else ("竞得人", "出让人")
    doc.facts([
        (seller_label, data.get("seller")), ("交易标的", data.get("subject")),
        (party, winner["name"]), ("统一社会信用代码", winner.get("uscc")), ("竞买号牌", winner.get("number")),
        ("成交价", money(data["hammer_price"])), ("起始价", money(data.get("starting_price"))),
        ("加价幅度", money(data.get("increment"))), ("开拍时间", data.get("started_at")),
        ("落槌时间", data["hammered_at"]), ("拍卖地点", data.get("room")), ("主持人", data.get("auctioneer")),
    ])
    doc.paragraph(
        f"{winner['name']}（竞买号牌 {doc.text(winner.get('number'))}）在 {doc.text(data['hammered_at'])} 举行的公开拍卖中，"
        f"以最高应价 {money(data['hammer_price'])} 竞得“{data['project']['title']}”（项目编号 {data['project']['code']}），"
        f"特此确认。{party}应于成交之日起 {data.get('sign_days') or '—'} 日内与{seller_label}签订"
        f"{'《产权交易合同》' if asset else '《国有建设用地使用权出让合同》'}，逾期未签订的，竞买保证金不予退还。")
    doc.heading("竞价记录")
    doc.table(["序号", "竞买号牌", "应价", "应价时间"],
              [[b["seq"], b["number"], money(b["amount"]), b.get("at")] for b in data.get("bids", [])],
              widths=[0.8, 1.6, 2.6, 2.6], align="ccrc")
    doc.signatures([party, seller_label, "拍卖主持人", "现场监督"])
    return doc.to_bytes()


def build_registration_list(data: dict) -> bytes:
    """报名及资格审查名单, frozen at the deadline. Keys: deadline, reviewer, candidates: list of {name, uscc,
    registered_at, eligible (bool), reasons (list of text, why not or what was checked), override (optional:
    the reviewer's written reason for overriding the automatic check)}."""
    doc = RecordDocument(data, title="报名及资格审查名单")
    candidates = data["candidates"]
    eligible = sum(1 for c in candidates if c["eligible"])
    _project_facts(doc, data, ("报名截止时间", data["deadline"]), ("审查人", data.get("reviewer")),
                   ("报名企业数", len(candidates)), ("合格企业数", eligible))
    doc.heading("报名企业及资格审查结果")
    doc.table(
        ["序号", "企业名称", "统一社会信用代码", "报名时间", "审查结果", "原因及说明"],
        [[i, c["name"], c["uscc"], c.get("registered_at"), "合格" if c["eligible"] else "不合格",
          _reasons(c)] for i, c in enumerate(candidates, start=1)],
        widths=[0.7, 2.3, 2.5, 2, 1.1, 2.6], align="clllcl",
    )
    doc.signatures(["资格审查人", "现场监督"])
    return doc.to_bytes()


def _reasons(candidate: dict) -> str:
    reasons = text(candidate.get("reasons"))
    return f"{reasons}\n人工复核：{candidate['override']}" if candidate.get("override") else reasons


def build_draw_record(data: dict) -> bytes:
    """固定价比选抽取记录 with the proof. Keys: drawn_at, room, supervisors (list of names), operator,
    proof (the fps-draw-v1 proof: protocol, commitment, candidates_digest, public_inputs [{source, value}],
    secret, seed, ranking [identifiers], selected), commitment_published_at, digest_published_at,
    names ({identifier: enterprise name}), proof_sha256 (of the proof file), verify_url."""
    doc = RecordDocument(data, title="固定价比选抽取记录")
    proof, names = data["proof"], data.get("names", {})
    _project_facts(doc, data, ("固定合同价", money(data["project"].get("fixed_price"))),
                   ("抽取时间", data["drawn_at"]), ("抽取地点", data.get("room")),
                   ("现场监督", data.get("supervisors")), ("操作人员", data.get("operator")))
    if proof["protocol"] == "rfc3797":
        _rfc3797_inputs(doc, data, proof)
    else:
        _fps_inputs(doc, data, proof)
    doc.heading("三、排序结果")
    selected = proof["selected"]
    doc.table(["名次", "企业名称", "统一社会信用代码", "结果"],
              [[rank, names.get(ident), ident, "中选" if rank <= selected else f"备选第 {rank - selected} 位"]
               for rank, ident in enumerate(proof["ranking"], start=1)],
              widths=[0.6, 4, 2.4, 1.4], align="cllc")
    doc.heading("四、验证", room=70 * mm)
    doc.qr(data["verify_url"], [
        ("证明文件 SHA-256", data["proof_sha256"]), ("验证页面", data["verify_url"]),
        ("离线验证", _verify_command(proof)),
    ])
    doc.signatures([*(f"现场监督 {name}" for name in data.get("supervisors", [])), "操作人员"])
    return doc.to_bytes()


def _fps_inputs(doc: RecordDocument, data: dict, proof: dict) -> None:
    doc.heading("一、公开输入（按封存顺序）")
    doc.table(["序号", "来源", "数值"],
              [[i, item["source"], item["value"]] for i, item in enumerate(proof["public_inputs"], start=1)],
              widths=[0.6, 4, 4], align="cll")
    doc.heading("二、承诺、候选名单摘要与种子")
    doc.facts([
        ("协议", proof["protocol"]), ("承诺值（SHA-256）", proof["commitment"]),
        ("承诺公布时间", data.get("commitment_published_at")),
        ("候选名单摘要", proof["candidates_digest"]), ("摘要公布时间", data.get("digest_published_at")),
        ("候选企业数", len(proof["ranking"])), ("秘密值", proof["secret"]), ("种子", proof["seed"]),
    ], columns=1)


def _rfc3797_inputs(doc: RecordDocument, data: dict, proof: dict) -> None:
    """RFC 3797: the sources the announcement named, with the values entered after the close; no secret."""
    doc.heading("一、公开数值来源（公告指定，报名截止后按公布结果录入）")
    doc.table(["序号", "来源", "数值"],
              [[n, row["source"], row["values"]] for n, row in enumerate(data.get("source_rows", []), start=1)],
              widths=[0.6, 4, 4], align="cll")
    doc.heading("二、候选名单摘要与密钥串")
    doc.facts([
        ("协议", "RFC 3797"), ("来源公布时间", data.get("commitment_published_at")),
        ("候选名单摘要", proof["candidates_digest"]), ("摘要公布时间", data.get("digest_published_at")),
        ("候选企业数", len(proof["ranking"])), ("密钥串", proof["key"]),
        ("记录摘要", proof.get("record_digest")),
    ], columns=1)


def _verify_command(proof: dict) -> str:
    if proof["protocol"] == "rfc3797":
        return (f"python lottery/verify.py PROOF.json --candidates-digest {proof['candidates_digest']} "
                f"--record-digest {proof['record_digest']}")
    return (f"python lottery/verify.py PROOF.json --commitment {proof['commitment']} "
            f"--candidates-digest {proof['candidates_digest']}")


def _opening_ceremony(doc: RecordDocument, ceremony: dict) -> None:
    """不见面开标: who held the opening keys, each bid's hashes, the room's recordings and the record's digest."""
    doc.heading(f"不见面开标（投标文件在投标人浏览器中加密，{ceremony['holders']} 人中任意 "
                f"{ceremony['threshold']} 人的密钥分片解密）")
    doc.table(["序号", "开标密钥持有人", "公钥指纹 SHA-256"],
              [[k["position"], k["holder"], k["fingerprint"]] for k in ceremony["keys"]],
              widths=[0.7, 2, 6.5], align="cll")
    doc.table(["投标人", "密文 SHA-256（与回执核对）", "投标文件 SHA-256"],
              [[b["name"], b["ciphertext_sha256"], b["document_sha256"]] for b in ceremony["bids"]],
              widths=[2.2, 3.5, 3.5], align="lll")
    for recording in ceremony.get("recordings", []):
        doc.paragraph(f"开标室录像 SHA-256：{recording['sha256']}")
    doc.paragraph(f"开标记录 SHA-256：{ceremony['record_sha256']}；投标人在线确认 {len(ceremony['confirmations'])} 家")


def build_bid_opening_record(data: dict) -> bytes:
    """开标记录. Keys: opened_at, room, host, ceiling_price, attendees [{name, organisation, role}],
    bids [{bidder, price, duration, terms, valid (bool), reason}], objections [{raised_by, content, answer}]."""
    doc = RecordDocument(data, title="开标记录")
    _project_facts(doc, data, ("最高投标限价", money(data.get("ceiling_price"))),
                   ("开标时间", data["opened_at"]), ("开标地点", data.get("room")), ("主持人", data.get("host")))
    doc.heading("一、参加人员")
    doc.table(["序号", "姓名", "单位", "身份"],
              [[i, a["name"], a.get("organisation"), a.get("role")]
               for i, a in enumerate(data["attendees"], start=1)],
              widths=[0.6, 1.6, 4, 1.6], align="cllc")
    doc.heading("二、投标文件")
    doc.table(["序号", "投标人", "投标报价", "工期", "其他承诺", "有效性", "原因"],
              [[i, b["bidder"], money(b["price"]), b.get("duration"), b.get("terms"),
                "有效" if b["valid"] else "无效", b.get("reason")]
               for i, b in enumerate(data["bids"], start=1)],
              widths=[0.7, 2.6, 2, 1.2, 1.4, 0.9, 1.8], align="clrccll")
    if data.get("ceremony"):
        _opening_ceremony(doc, data["ceremony"])
    doc.heading("三、现场异议及答复")
    doc.table(["序号", "提出人", "异议内容", "答复"],
              [[i, o["raised_by"], o["content"], o.get("answer")]
               for i, o in enumerate(data.get("objections", []), start=1)],
              widths=[0.7, 1.5, 3.5, 3.5], align="cll")
    doc.signatures(["主持人", "记录人", "现场监督"])
    return doc.to_bytes()


def build_evaluation_report(data: dict) -> bytes:
    """评标报告. Keys: method (label), evaluated_at, room, experts [{id, name, specialty}], criteria [{key,
    name, max}], scores [{bidder, expert (an expert id), values {criterion key: Decimal}, subtotal}],
    ranking [{rank, bidder, price, price_score, technical, commercial, total, candidate (bool)}] as computed by
    the scoring core (the three scores absent under the lowest evaluated price), price_rule (the price score's
    formula with the base price), conclusion."""
    doc = RecordDocument(data, title="评标报告")
    experts = {e["id"]: e["name"] for e in data["experts"]}
    criteria = data["criteria"]
    _project_facts(doc, data, ("评标方法", data["method"]), ("评标时间", data["evaluated_at"]),
                   ("评标地点", data.get("room")), ("评标专家人数", len(experts)))
    doc.heading("一、评标委员会")
    doc.table(["序号", "姓名", "专业"], [[i, e["name"], e.get("specialty")] for i, e in
                                       enumerate(data["experts"], start=1)], widths=[0.6, 2, 4], align="cll")
    doc.heading("二、评分明细（专家 × 评分因素）")
    doc.table(["投标人", "专家", *(f"{c['name']}\n{c['max']} 分" for c in criteria), "小计"],
              [[s["bidder"], experts.get(s["expert"], s["expert"]),
                *(s["values"].get(c["key"]) for c in criteria), s["subtotal"]] for s in data["scores"]],
              widths=[2.4, 1.2, *[1] * len(criteria), 0.9], align="ll" + "r" * (len(criteria) + 1))
    doc.heading("三、汇总得分及排名")
    if data.get("price_rule"):
        doc.paragraph(data["price_rule"])
    doc.table(["名次", "投标人", "投标报价", "价格分", "技术分", "商务分", "最终得分", "中标候选人"],
              [[r["rank"], r["bidder"], money(r.get("price")), r.get("price_score"), r.get("technical"),
                r.get("commercial"), r["total"], r["candidate"]] for r in data["ranking"]],
              widths=[0.6, 2.6, 1.8, 0.9, 0.9, 0.9, 1, 1], align="clrrrrrc")
    if data.get("conclusion"):
        doc.heading("四、评标结论")
        doc.paragraph(data["conclusion"])
    doc.signatures([f"评标专家 {name}" for name in experts.values()])
    return doc.to_bytes()


def build_award_notice(data: dict) -> bytes:
    """中标（中选）通知书. Keys: winner {name, uscc}, price, duration, sign_by (the signing deadline),
    issuer, body (optional: replaces the standard text)."""
    doc = RecordDocument(data, title="中标（中选）通知书")
    winner, project = data["winner"], data["project"]
    doc.facts([("中标（中选）单位", winner["name"]), ("统一社会信用代码", winner["uscc"]),
               ("中标（中选）价", money(data["price"])), ("工期", data.get("duration"))], columns=1)
    doc.paragraph(f"{winner['name']}：")
    doc.paragraph(data.get("body") or (
        f"你单位参加的“{project['title']}”（项目编号 {project['code']}）经公示无异议，确定你单位为中标（中选）单位，"
        f"中标（中选）价为 {money(data['price'])}。请于 {doc.text(data['sign_by'])} 前与招标人签订书面合同。"
        "逾期未签订的，将记入不良行为记录，并由下一顺位候选人递补。"))
    doc.paragraph(f"发出单位：{text(data.get('issuer'))}")
    doc.signatures(["发出单位（盖章）", "招标人（盖章）"])
    return doc.to_bytes()


def build_attendance_sheet(data: dict) -> bytes:
    """现场签到表. Keys: session {kind (label), room, starts_at}, attendees [{name, organisation, role,
    signed_in_at}], blank_rows (optional, default 5: empty lines for people signing on paper)."""
    doc = RecordDocument(data, title="现场签到表")
    session = data["session"]
    doc.facts([("会议类型", session.get("kind")), ("地点", session.get("room")),
               ("开始时间", session.get("starts_at")), ("签到人数", len(data["attendees"]))])
    rows = [[i, a["name"], a.get("organisation"), a.get("role"), a.get("signed_in_at"), BLANK]
            for i, a in enumerate(data["attendees"], start=1)]
    rows += [[len(rows) + i, *[BLANK] * 5] for i in range(1, data.get("blank_rows", 5) + 1)]
    doc.table(["序号", "姓名", "单位", "身份", "签到时间", "本人签名"], rows,
              widths=[0.7, 1.3, 2.7, 1.2, 1.8, 1.8], align="cllccl", padding=6)
    return doc.to_bytes()


def build_followup_report(data: dict) -> bytes:
    """合同履约跟踪报告 (专人跟踪). Keys: staff, period, contract {contractor, signed_at, price, due},
    milestones [{name, due, done_at, status, note}], issues [{found_at, description, action, referral}],
    summary."""
    doc = RecordDocument(data, title="合同履约跟踪报告")
    contract = data["contract"]
    doc.facts([("跟踪人员", data["staff"]), ("报告期间", data.get("period")),
               ("承包单位", contract["contractor"]), ("合同价", money(contract.get("price"))),
               ("签约时间", contract.get("signed_at")), ("合同完工日期", contract.get("due"))])
    doc.heading("一、进度节点")
    doc.table(["节点", "计划完成", "实际完成", "状态", "说明"],
              [[m["name"], m.get("due"), m.get("done_at"), m.get("status"), m.get("note")]
               for m in data.get("milestones", [])], widths=[2.4, 1.2, 1.2, 1, 3], align="lcccl")
    doc.heading("二、发现的问题及处理")
    doc.table(["发现时间", "问题", "处理措施", "移送纪检监察"],
              [[i.get("found_at"), i["description"], i.get("action"), i.get("referral")]
               for i in data.get("issues", [])], widths=[1.2, 3, 3, 1.2], align="lllc")
    if data.get("summary"):
        doc.heading("三、小结")
        doc.paragraph(data["summary"])
    doc.signatures(["跟踪人员", "部门负责人"])
    return doc.to_bytes()
