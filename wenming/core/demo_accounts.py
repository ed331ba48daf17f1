"""The demo's accounts: shown on the login page in demo mode only."""

DEMO_PASSWORD = "wenming-demo"
DEMO_ACCOUNTS = [
    ("office", "评选工作办公室"),
    ("office2", "评选工作办公室（复核）"),
    ("haizhou", "海州区住建局"),
    ("lianyun", "连云区住建局"),
    ("ganyu", "赣榆区住建局"),
    ("company1", "物业服务企业（一）"),
    ("company2", "物业服务企业（二）"),
    ("expert1", "评审专家 1"),
    ("expert2", "评审专家 2"),
    ("expert3", "评审专家 3"),
    ("expert4", "评审专家 4"),
    ("expert5", "评审专家 5"),
    ("surveyor1", "创文办调查员"),
]
