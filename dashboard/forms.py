"""The sign-in form: Django's, with the username's length checked before anyone looks it up."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Django sets the username's max_length after the field is made, which draws the
    limit on the page but never checks it: a 10,000-character username went on to be
    looked up and then logged by the login throttle (axes), whose column holds 255, so
    PostgreSQL refused the write and the sign-in page answered 500."""

    def clean_username(self):
        username = self.cleaned_data["username"]
        limit = self.fields["username"].max_length
        if limit and len(username) > limit:
            raise forms.ValidationError(
                f"A username is at most {limit} characters. Check what you typed."
            )
        return username
