"""Resident identity: who a resident is and how they prove it. A phone and its SMS code
(`phones`, sent through `sms`), the public pages' phone step (`phone_step`), the WeChat
openid bound to the phone (`wechat`), and the resident's bearer token on the API (`auth`).

It stands on core's plumbing (models, audit, the SQL and Redis helpers) and nothing else in
core imports it back (pyproject's import contract): so a vote's walk runs one way,
auth → phones → core.models. The models (Resident, PhoneCode, ResidentToken, WeChatIdentity)
stay in core.models: their tables and migrations are core's."""
