from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "wenming.credit"
    label = "credit"
    verbose_name = "信用档案"

    def ready(self):
        # The black list's restriction on awards (seed 四(二)4, 七(3)): awards asks, credit answers.
        from wenming.awards.eligibility import register_company_check
        from wenming.credit.services import black_list_refusal

        register_company_check(black_list_refusal)
