"""All input of the publicity pages. Photos are checked by content where they are taken
(core.kept_uploads), so a refused form shows them again as kept; a material (PDF, Word or image)
is checked by content at its field (services.clean_material)."""

from django import forms
from django.utils import timezone

from wenming.core import kept_uploads
from wenming.core.forms import Form, MultipleFileField
from wenming.core.uploads import UploadRejected
from wenming.publicity import services
from wenming.publicity.models import Channel

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class NewsForm(Form):
    title = forms.CharField(label="标题", max_length=100)
    summary = forms.CharField(label="摘要", max_length=120, required=False,
                              help_text="列表和微信分享卡片上显示，不填则取正文开头")
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 10}), max_length=20000)
    byline = forms.CharField(label="来源/署名", max_length=50, required=False, help_text="如：港城物管")
    published_at = forms.DateTimeField(label="发布时间", required=False, widget=DATETIME,
                                       help_text="北京时间；不填为草稿，到时自动在公开页显示")
    cover = MultipleFileField(label="封面图片", required=False)
    photos = MultipleFileField(label="更多图片", required=False, help_text=f"含封面最多 {services.NEWS_PHOTOS_MAX} 张")

    def __init__(self, *args, campaign, owner=None, news=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign, self.owner, self.news = campaign, owner, news
        self.cover = kept_uploads.Photos(owner=owner)
        self.photos = kept_uploads.Photos(owner=owner)
        if news is not None:
            self.fields["cover"].label = "更换封面图片"
        self.fields["cover"].widget.allow_multiple_selected = False

    def clean(self):
        data = super().clean()
        if self.is_bound and self.owner is not None:
            limit = self.campaign.upload_limit()
            self.cover = kept_uploads.take_photos(data.get("cover") or [], self.data.getlist("kept_cover"),
                                                  owner=self.owner, max_bytes=limit, limit=1, label="封面图片")
            self.photos = kept_uploads.take_photos(data.get("photos") or [], self.data.getlist("kept"),
                                                   owner=self.owner, max_bytes=limit,
                                                   limit=services.NEWS_PHOTOS_MAX - 1, label="图片")
            for error in self.cover.errors:
                self.add_error("cover", error)
            for error in self.photos.errors:
                self.add_error("photos", error)
            if self.news is None and not self.cover.files() and not self.cover.errors:
                self.add_error("cover", "请上传封面图片")
        return data

    def text(self):
        data = self.cleaned_data
        return services.NewsText(title=data["title"].strip(), summary=data["summary"].strip(),
                                 body=data["body"].strip(), byline=data["byline"].strip(),
                                 published_at=data["published_at"])

    def keep(self):
        self.cover.keep()
        self.photos.keep()

    def saved(self):
        self.cover.saved()
        self.photos.saved()


class MaterialForm(Form):
    title = forms.CharField(label="标题", max_length=100)
    description = forms.CharField(label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="主题、适用载体、张贴要求等")
    file = forms.FileField(label="通稿文件", help_text="PDF、Word（.docx）或图片，不超过 20 兆字节",
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,image/*"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.clean_upload = services.clean_material(upload)
        except UploadRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class PostingForm(Form):
    channel = forms.ChoiceField(label="发布渠道", choices=[("", "请选择"), *Channel.choices])
    place = forms.CharField(label="位置或链接", max_length=300,
                            help_text="如：3 号楼大堂公告栏；微信群名；公众号文章链接")
    posted_on = forms.DateField(label="发布日期", widget=forms.DateInput(attrs={"type": "date"}))
    community = forms.ModelChoiceField(label="小区", queryset=None, required=False, empty_label="不限小区（全企业）")
    photo = MultipleFileField(label="现场照片（可选）", required=False, help_text="张贴处的照片，作为佐证")

    def __init__(self, *args, campaign, communities, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign, self.owner = campaign, owner
        self.fields["community"].queryset = communities
        self.fields["photo"].widget.allow_multiple_selected = False
        self.photo = kept_uploads.Photos(owner=owner)
        if not self.is_bound:
            self.initial.setdefault("posted_on", timezone.localdate(timezone.now(), campaign.tz).isoformat())

    def clean(self):
        data = super().clean()
        if self.is_bound and self.owner is not None:
            self.photo = kept_uploads.take_photos(data.get("photo") or [], self.data.getlist("kept"), owner=self.owner,
                                                  max_bytes=self.campaign.upload_limit(), limit=1, label="现场照片")
            for error in self.photo.errors:
                self.add_error("photo", error)
        posted_on = data.get("posted_on")
        if posted_on and posted_on > timezone.localdate(timezone.now(), self.campaign.tz):
            self.add_error("posted_on", "发布日期不能晚于今天")
        return data

    def text(self):
        data = self.cleaned_data
        return services.PostingText(channel=data["channel"], place=data["place"].strip(), posted_on=data["posted_on"],
                                    community=data.get("community"))
