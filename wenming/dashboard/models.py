from django.db import models


class VoteHour(models.Model):
    """The votes one candidate received in one hour of the campaign's clock, written once when
    the hour has closed (`tally.refresh`) and never changed: votes are never deleted and their
    time never changes, so an hour's count is final. A status (quarantined, invalidated) is
    read from the votes themselves, never from here."""

    award = models.ForeignKey("campaigns.AwardCategory", on_delete=models.CASCADE, related_name="+", db_index=False)
    candidate = models.ForeignKey("awards.Showcase", on_delete=models.CASCADE, related_name="+", db_index=False)
    starts_at = models.DateTimeField(help_text="the hour's start (the campaign's local hour)")
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    votes = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["candidate", "starts_at"], name="one_tally_per_candidate_hour")]
        indexes = [models.Index(fields=["award", "starts_at"])]


class VoteTallyMark(models.Model):
    """How far a campaign's votes are tallied: every hour before `until` has its rows."""

    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE, primary_key=True, related_name="+")
    until = models.DateTimeField(null=True)
