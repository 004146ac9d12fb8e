"""The agent's photo: uploaded and removed on /profile/, served publicly at a random URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from omnicanal.accounts import photos
from omnicanal.accounts.models import Language, User

pytestmark = pytest.mark.django_db

URL = "/profile/"
# The smallest valid PNG (1 by 1 pixel, transparent): its first bytes are what is checked.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path):
        yield tmp_path


def client_for(user: User) -> Client:
    User.objects.filter(pk=user.pk).update(language=Language.ENGLISH)
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, name: str, content: bytes, **extra: Any) -> Any:
    return client.post(URL, {"form": "photo", "photo": SimpleUploadedFile(name, content),
                             **extra}, follow=True)


def test_an_agent_uploads_a_photo_that_anyone_can_load_without_their_email(
    agent: User, media_root: Path
) -> None:
    client = client_for(agent)

    page = upload(client, "me.png", PNG)

    assert "Your photo is saved." in page.content.decode()
    agent.refresh_from_db()
    url = photos.photo_url(agent)
    assert url.startswith("/agent-photos/") and url.endswith(".png")
    assert "bob" not in url  # nothing of the agent's e-mail or name
    assert f'src="{url}"' in page.content.decode()
    served = Client().get(url)  # no session: the widget's visitors load it
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served.content == PNG


def test_a_file_that_is_not_an_image_is_refused_beside_the_field(agent: User) -> None:
    client = client_for(agent)

    page = upload(client, "photo.png", b"<html><script>alert(1)</script></html>")

    assert page.status_code == 200
    assert "The photo must be a PNG, JPEG, GIF or WebP image." in page.content.decode()
    agent.refresh_from_db()
    assert agent.photo.name == ""


def test_a_photo_over_the_limit_is_refused(agent: User) -> None:
    client = client_for(agent)

    page = upload(client, "big.png", PNG + b"\0" * photos.MAX_PHOTO_BYTES)

    assert "The photo is too large: at most 2 MB." in page.content.decode()


def test_a_new_photo_replaces_the_old_file_and_removing_it_unpublishes_it(
    agent: User, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(agent)
    upload(client, "one.png", PNG)
    agent.refresh_from_db()
    first_url, first_file = photos.photo_url(agent), agent.photo.path

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "two.gif", b"GIF89a" + PNG)
    agent.refresh_from_db()

    assert photos.photo_url(agent).endswith(".gif")
    assert Client().get(first_url).status_code == 404
    assert not Path(first_file).exists()

    second_url = photos.photo_url(agent)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(URL, {"form": "photo", "remove": "1"}, follow=True)

    assert "Your photo is removed." in page.content.decode()
    assert Client().get(second_url).status_code == 404
    assert list((media_root / "agent-photos").iterdir()) == []


def test_the_photo_url_answers_404_for_names_that_are_no_ones_photo(agent: User) -> None:
    assert Client().get("/agent-photos/nothing.png").status_code == 404
    assert Client().get("/agent-photos/nothing.html").status_code == 404
