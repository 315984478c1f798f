"""The roles a casetrack account holds, with their Chinese labels (the admin's select, the page header, the CLI)."""

from casetrack.domain.workflow import LabelledEnum


class Role(LabelledEnum):
    MEDIATOR = ("mediator", "村调解员")
    STAFF = ("staff", "乡干部")
    LEADER = ("leader", "领导")
    ADMIN = ("admin", "管理员")
    COUNTY = ("county", "县级")  # 县司法局/信访局: reads every township of its county, reviews returns, supervises
