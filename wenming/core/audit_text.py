"""The audit log in words: each entry as a sentence a person reads ("海州区住建局 通过了 XX小区 的申报"),
and before/after as named fields with their shown values, not action codes and dict reprs."""

import re

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from wenming.core.roles import Role

# What each action did, with {obj} for the named record. An action missing here still reads as
# a sentence ("处理了 …"); the crawl test keeps the codes off the page.
PHRASES = {
    "awards.application.started": "发起了 {obj} 的申报",
    "awards.application.updated": "修改了 {obj} 的申报",
    "awards.application.submitted": "提交了 {obj} 的申报",
    "awards.application.resubmitted": "重新提交了 {obj} 的申报",
    "awards.application.withdrawn": "撤回了 {obj} 的申报",
    "awards.application.approved": "通过了 {obj} 的申报",
    "awards.application.returned": "退回了 {obj} 的申报",
    "awards.application.rejected": "驳回了 {obj} 的申报",
    "awards.application.confirmed": "确认 {obj} 为候选对象",
    "awards.application.merged": "合并了 {obj} 的申报",
    "awards.attachment.added": "为 {obj} 上传了附件",
    "awards.attachment.removed": "删除了 {obj} 的附件",
    "awards.recommendation.received": "收到了推荐 {obj}",
    "awards.recommendation.updated": "推荐人更新了推荐 {obj}",
    "awards.recommendation.converted": "将推荐 {obj} 转为申报",
    "awards.recommendation.dismissed": "不予采纳推荐 {obj}",
    "awards.showcase.published": "发布了 {obj} 的展示页",
    "awards.showcase.updated": "修改了 {obj} 的展示页",
    "awards.showcase.photo_added": "为 {obj} 的展示页添加了照片",
    "campaigns.announcement.published": "发布了公告 {obj}",
    "campaigns.announcement.updated": "修改了公告 {obj}",
    "campaigns.announcement.withdrawn": "撤下了公告 {obj}",
    "campaigns.campaign.shifted": "调整了活动 {obj} 的日期",
    "campaigns.phase.extended": "延长了阶段 {obj}",
    "campaigns.deadline.extended": "延长了截止时间 {obj}",
    "campaigns.preset.loaded": "载入了活动方案 {obj}",
    "campaigns.voting_rules.proposed": "提出了投票规则 {obj}",
    "campaigns.voting_rules.changed": "调整了投票规则 {obj}",
    "campaigns.rule_change.proposed": "提出了活动规则调整 {obj}",
    "campaigns.rule_change.applied": "调整了活动规则 {obj}",
    "campaigns.rule_change.approved": "批准了规则调整 {obj}",
    "core.resident.consented": "同意了隐私告知",
    "core.resident.verified": "验证了手机号 {obj}",
    "core.resident.wechat_bound": "绑定了微信 {obj}",
    "core.user.created": "创建了账号 {obj}",
    "core.phones.rotated": "按当前密钥重新加密了手机号",
    "core.user.updated": "修改了账号 {obj}",
    "core.user.logged_in": "登录了系统",
    "core.notification.read": "阅读了通知",
    "core.notification.read_all": "将全部通知标为已读",
    "core.notification.preferences_saved": "修改了通知设置",
    "core.notification.wechat_bound": "绑定了接收通知的微信",
    "core.notification.wechat_unbound": "解除了接收通知的微信",
    "complaints.ticket.filed": "提交了投诉 {obj}",
    "complaints.ticket.updated": "补充了投诉 {obj}",
    "complaints.ticket.received": "接待了投诉 {obj}",
    "complaints.ticket.handling": "开始处理投诉 {obj}",
    "complaints.ticket.note": "记录了投诉 {obj} 的处理情况",
    "complaints.ticket.answered": "反馈了投诉 {obj}",
    "complaints.ticket.followed_up": "回访了投诉 {obj}",
    "complaints.ticket.reopened": "退回重办投诉 {obj}",
    "complaints.repeat.flagged": "提示了重复投诉 {obj}",
    "complaints.repeat.decided": "处理了重复投诉提示 {obj}",
    "complaints.sweep.done": "检查了投诉办理时限",
    "complaints.hotline.imported": "导入了 12345 工单",
    "credit.list.computed": "生成了名单 {obj}",
    "credit.list.approved": "审核通过了名单 {obj}",
    "credit.list.published": "公布了名单 {obj}",
    "credit.objection.filed": "提出了异议 {obj}",
    "credit.objection.decided": "处理了异议 {obj}",
    "credit.record.created": "记入了信用记录 {obj}",
    "credit.record.withdrawn": "撤销了信用记录 {obj}",
    "judging.assigned": "分配了评审任务 {obj}",
    "judging.committee.set": "设定了评选工作委员会 {obj}",
    "judging.expert.declared": "作出了回避声明 {obj}",
    "judging.reopen.requested": "申请重新打开评分表 {obj}",
    "judging.reopen.approved": "同意重新打开评分表 {obj}",
    "judging.sheet.saved": "保存了评分表 {obj}",
    "judging.sheet.submitted": "提交了评分表 {obj}",
    "registry.company.created": "新增了物业服务企业 {obj}",
    "registry.company.updated": "修改了物业服务企业 {obj}",
    "registry.community.created": "新增了小区 {obj}",
    "registry.community.updated": "修改了小区 {obj}",
    "registry.staff.created": "新增了从业人员 {obj}",
    "registry.staff.updated": "修改了从业人员 {obj}",
    "registry.import.started": "开始导入名录 {obj}",
    "exports.taken": "导出了 Excel 名单",
    "exports.started": "开始后台导出 {obj}",
    "exports.completed": "完成了后台导出 {obj}",
    "exports.failed": "后台导出失败 {obj}",
    "exports.abandoned": "判定后台导出已中断 {obj}",
    "results.computed": "计算了评选结果 {obj}",
    "results.confirmed": "同意评选结果 {obj}",
    "results.disputed": "不同意评选结果 {obj}",
    "results.published": "公布了评选结果 {obj}",
    "results.superseded": "以更正后的结果取代了 {obj}",
    "results.bundle.built": "生成了核验数据包 {obj}",
    "results.objection.filed": "对评选结果提出了 {obj}",
    "results.objection.decided": "处理了结果的 {obj}",
    "results.honoured": "授予了荣誉 {obj}",
    "results.matching.done": "完成了区级配套 {obj}",
    "results.sheet_excused": "免除了评分表 {obj}",
    "supervision.inspection.started": "开始了检查 {obj}",
    "supervision.inspection.submitted": "提交了检查 {obj}",
    "supervision.finding.saved": "记录了检查结果 {obj}",
    "supervision.evidence.saved": "提交了整改材料 {obj}",
    "supervision.order.issued": "下发了整改通知 {obj}",
    "supervision.order.state": "变更了整改通知 {obj} 的状态",
    "supervision.order.fund": "动用了维修资金 {obj}",
    "supervision.repeat.flagged": "标记了屡查屡犯 {obj}",
    "supervision.sample.drawn": "抽取了检查样本 {obj}",
    "supervision.redraw.requested": "申请重新抽样 {obj}",
    "supervision.redraw.decided": "审批了重新抽样 {obj}",
    "supervision.schedule.set": "设置了定期督查计划 {obj}",
    "supervision.interview.recorded": "安排了约谈 {obj}",
    "supervision.interview.concluded": "完成了约谈 {obj}",
    "surveys.assigned": "分配了调查任务 {obj}",
    "surveys.paper.imported": "导入了纸质问卷 {obj}",
    "surveys.response.recorded": "录入了入户调查 {obj}",
    "surveys.response.released": "核实放行了问卷 {obj}",
    "surveys.register.imported": "导入了 {obj} 的住户登记",
    "surveys.register.generated": "按编号规则生成了 {obj} 的住户登记",
    "volunteers.station.registered": "登记了志愿者服务站 {obj}",
    "volunteers.volunteer.joined": "登记了志愿者 {obj}",
    "volunteers.activity.created": "发布了志愿活动 {obj}",
    "volunteers.activity.cancelled": "取消了志愿活动 {obj}",
    "volunteers.record.signed_up": "报名了志愿活动",
    "volunteers.record.cancelled": "取消了志愿活动报名",
    "volunteers.record.signed_in": "扫码签到了志愿活动",
    "volunteers.record.signed_out": "扫码签退了志愿活动",
    "volunteers.record.confirmed": "确认了志愿服务时长",
    "volunteers.record.objected": "对志愿服务时长提出了异议",
    "volunteers.record.objection_resolved": "复核了志愿服务时长异议",
    "volunteers.help.requested": "提出了帮扶需求",
    "volunteers.help.taken": "认领了帮扶需求",
    "volunteers.help.reported": "填报了帮扶服务时长",
    "volunteers.help.done": "办结了帮扶需求",
    "volunteers.certificate.issued": "开具了志愿服务记录证明",
    "publicity.news.created": "撰写了新闻 {obj}",
    "publicity.news.updated": "修改了新闻 {obj}",
    "publicity.news.photo_removed": "删除了新闻 {obj} 的图片",
    "publicity.news.unpublished": "将新闻 {obj} 撤回为草稿",
    "publicity.material.added": "上传了宣传通稿 {obj}",
    "publicity.posting.recorded": "登记了通稿发布记录 {obj}",
    "publicity.posting.removed": "删除了通稿发布记录 {obj}",
    "voting.fraud.requested": "提出了刷票处理 {obj}",
    "voting.fraud.approved": "批准了刷票处理 {obj}",
    "voting.fraud.decided": "执行了刷票处理 {obj}",
    "voting.addresses.minimized": "投票核查结束后，将投票记录的 IP 地址缩减为所在网段",
    "voting.fraud.batch_approved": "批量批准了刷票处理 {obj} 等",
    "voting.lottery.created": "设立了抽奖 {obj}",
    "voting.lottery.committed": "公布了抽奖承诺值 {obj}",
    "voting.lottery.value_entered": "录入了抽奖的公开数值（待另一人录入） {obj}",
    "voting.lottery.value_confirmed": "确认了抽奖的公开数值（两人录入一致） {obj}",
    "voting.lottery.drawn": "完成了抽奖 {obj}",
    "voting.lottery.notified": "安排发送中奖短信 {obj}",
    "voting.lottery.delivered": "发放了奖品 {obj}",
}
# Keys of before/after that are not model fields (or are, under another name).
FIELD_NAMES = {
    "findings": "检查项数", "failed": "不合格项数", "item": "检查项", "deadline": "期限", "scores": "评分",
    "items": "评分项", "total": "总分", "photos": "照片", "version": "版本", "household": "住户",
    "channel": "渠道", "fast": "录入过快", "same_device": "同一设备多户", "households": "户数", "occupied": "入住户数",
    "scheme": "编号规则", "file_rows": "导入行数", "days": "天数", "winners": "获奖名单", "districts": "各区",
    "funding_yuan": "配套资金（元）", "input_hash": "输入校验值", "seed": "随机种子", "size": "数量",
    "communities": "小区", "title": "标题", "story": "事迹", "points": "分值", "veto": "一票否决",
    "source": "来源", "source_key": "来源编号", "code": "事项", "period": "期次", "red": "红榜", "black": "黑榜",
    "preset": "方案", "file_version": "方案文件版本", "rules_version": "规则版本", "sha256": "校验值",
    "number": "编号", "category": "类别", "urgency": "紧急程度", "round": "办理轮次",
    "reminded": "提醒", "escalated": "上报", "count": "件数", "channels": "接收方式", "created": "新增", "skipped": "已有",
    "queued": "新发送", "again": "重发", "rewritten": "重新加密的行数",
    "state": "状态", "kind": "类型", "passed": "合格", "value": "实测值", "severity": "严重程度", "sections": "涉及规则",
    "company": "企业", "award": "奖项", "candidate": "候选", "decision": "结论", "network": "网段", "reason": "原因",
    "community": "小区", "district": "区", "name": "名称", "rule": "规则", "score": "分数", "grade": "等级",
    "phone": "手机号", "username": "用户名", "role": "角色", "is_active": "启用", "ends_at": "结束时间",
    "starts_at": "开始时间", "at": "时间", "action": "处理", "votes": "票数", "comment": "意见", "opinion": "意见",
    "signal": "信号", "day": "日期", "batch_clusters": "本批集群数", "batch_votes": "本批票数", "decisions": "决定",
    "station": "服务站", "places": "名额", "signups_cancelled": "取消的报名", "activity": "活动", "volunteer": "志愿者",
    "minutes": "服务时长（分钟）", "measured_minutes": "签到签退时长（分钟）", "objection": "异议", "group": "帮扶对象",
    "cover": "封面", "photo": "照片", "material": "通稿",
    "how": "确认方式", "record": "服务记录", "records": "服务次数", "consent_version": "同意的告知版本",
}
# Records whose model has no Chinese verbose_name (changing Meta would need migrations everywhere).
KIND_NAMES = {
    "core.notification": "通知",
    "core.phones": "手机号加密",
    "core.phonecode": "短信验证码", "core.wechatidentity": "微信绑定", "core.residenttoken": "居民登录凭证",
    "complaints.ticket": "投诉", "complaints.repeatflag": "重复投诉提示",
    "campaigns.rulechange": "规则调整", "voting.frauddecision": "刷票核查结论", "voting.lotteryentrant": "抽奖参与人",
    "voting.boardentry": "投票公示记录", "surveys.assignment": "调查任务", "judging.committee": "评选工作委员会",
    "judging.assignment": "评审任务", "judging.sheet": "评分表", "judging.sheetphoto": "评分照片",
    "judging.reopen": "评分表重开申请", "results.run": "评选结果", "results.confirmation": "结果确认",
    "results.missingsheet": "缺评说明", "results.objection": "结果公示异议", "results.honour": "荣誉",
    "results.matching": "区级配套",
    "credit.listentry": "红黑榜条目", "credit.listapproval": "红黑榜审批", "supervision.sample": "检查样本",
    "supervision.finding": "检查结果", "supervision.photo": "照片", "supervision.evidence": "整改材料",
    "supervision.orderevent": "整改记录", "supervision.sampleredraw": "重新抽样申请",
    "supervision.regularschedule": "定期督查计划",
}
# A value that is a preset key or code ("EN3", "CHARITY_5000", "model_manager", "cooperation.1"): the page
# leaves it out rather than show it (the Excel export keeps the raw before/after).
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9]*([_.:\-][A-Za-z0-9]+)+|[A-Z]{2,3}\d+|[a-z]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DEFAULT_REPR = re.compile(r"^\w+ object \((\d+)\)$")
SYSTEM = "系统"


def action_choices():
    """Choices for filtering by action, grouped by app: the whole app ("registry.") or one action."""
    groups = {}
    for code, phrase in PHRASES.items():
        groups.setdefault(code.split(".")[0], []).append((code, phrase.replace(" {obj}", "…").replace("{obj} ", "…")))
    choices = []
    for label, items in groups.items():
        name = str(apps.get_app_config(label).verbose_name)
        choices.append((name, [(f"{label}.", f"全部{name}操作"), *items]))
    return choices


def _model(entry):
    return _model_of(entry.target_type)


def _model_of(target_type):
    try:
        return apps.get_model(target_type) if target_type else None
    except (LookupError, ValueError):
        return None


def kind_name(target_type):
    """"awards.application" as people call it ("申报")."""
    model = _model_of(target_type)
    name = str(model._meta.verbose_name) if model else ""
    return name if _CJK.search(name) else KIND_NAMES.get(target_type, "其他记录")


def target_name(entry):
    """The record by name: its own words, or "<模型名> 第 N 号" for a record without a readable name."""
    kind = kind_name(entry.target_type) if entry.target_type else ""
    shown = entry.target_repr
    if not shown or _DEFAULT_REPR.match(shown):
        return f"{kind} 第 {entry.target_id} 号".strip() if entry.target_id else kind
    return f"「{shown}」"


def actor_name(entry):
    if not entry.actor_name:
        return SYSTEM
    role = Role(entry.actor_role).label if entry.actor_role in Role.values else ""
    if entry.actor_role == "superuser":
        role = "系统管理员"
    return f"{entry.actor_name}（{role}）" if role and role not in entry.actor_name else entry.actor_name


def sentence(entry):
    """What happened, without the time: "张三（区住（规）建局） 通过了 「XX小区」 的申报"."""
    phrase = PHRASES.get(entry.action, "处理了 {obj}")
    text = f"{actor_name(entry)} {phrase.format(obj=target_name(entry))}".replace("  ", " ").strip()
    kind = kind_name(entry.target_type) if entry.target_type else ""
    # "记录了检查结果 检查结果 第 94 号" → "记录了检查结果 第 94 号" for a record without a name.
    return text.replace(f"{kind} {kind} 第", f"{kind} 第") if kind else text


def _shown_value(field, value):
    """The value as a reader knows it, or None when it is only an internal code."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is not None and getattr(field, "choices", None):
        labels = {str(k): str(v) for k, v in field.flatchoices}
        if str(value) in labels:
            return labels[str(value)]
    if isinstance(value, (list, tuple, dict)):
        return f"{len(value)} 项" if value else "（空）"
    if isinstance(value, str) and _CODE.fullmatch(value):
        return None
    return str(value)


def changes(entry):
    """Each changed field as (label, before, after), labels from the model's verbose names."""
    before, after = entry.before or {}, entry.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [("内容", _shown_value(None, before), _shown_value(None, after))]
    model = _model(entry)
    rows = []
    for key in dict.fromkeys([*before, *after]):
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(key)
            except FieldDoesNotExist:
                field = None
            if field is not None and not getattr(field, "concrete", False):
                field = None
        label = str(field.verbose_name) if field is not None else ""
        label = label if _CJK.search(label) else FIELD_NAMES.get(key)
        old = _shown_value(field, before.get(key)) if key in before else ""
        new = _shown_value(field, after.get(key)) if key in after else ""
        # A field without a Chinese name, or a value that is only a code, stays in the export.
        if label and old is not None and new is not None:
            rows.append((label, old, new))
    return rows
