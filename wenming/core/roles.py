from django.db import models


class Role(models.TextChoices):
    OFFICE = "office", "评选工作办公室"
    DISTRICT = "district", "区住（规）建局"
    COMPANY = "company", "物业服务企业"
    EXPERT = "expert", "评审专家"
    SURVEYOR = "surveyor", "创文办调查员"
    RESIDENT = "resident", "居民"


STAFF_ROLES = (Role.OFFICE, Role.DISTRICT, Role.COMPANY, Role.EXPERT, Role.SURVEYOR)
