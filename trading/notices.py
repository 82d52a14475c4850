"""The notice to drawn enterprises (随机抽取企业须知), published with every fixed-price announcement."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from trading.models import Project


def default_notice(project: Project) -> str:
    return _(
        "随机抽取企业须知\n"
        "一、本项目采用固定价比选方式，固定合同价为人民币%(price)s元，中选企业不得以任何理由要求调整。\n"
        "二、报名企业须具备招标公告要求的资质等级和有效的安全生产许可证，拟派项目经理不得有在建项目。\n"
        "三、已中选未完工的固定价项目达到%(max)d个的企业，不得参与本次抽取。\n"
        "四、中选企业须在中选通知发出后%(sign)d日内签订合同；逾期未签的，记入不良行为记录，"
        "暂停固定价比选资格%(susp)d日，由下一顺位企业递补。\n"
        "五、抽取全程录像并由现场监督人员监督，抽取结果及验证材料向社会公开，任何人均可独立验证。\n"
        "六、企业不得出借资质、围标串标或转包，一经查实移送纪检监察机关处理。"
    ) % {
        "price": f"{project.fixed_price:,.2f}" if project.fixed_price is not None else "—",
        "max": settings.FPS_MAX_ONGOING, "sign": settings.SIGN_DAYS, "susp": settings.SUSPENSION_DAYS,
    }
