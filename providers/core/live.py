"""The settings a write keeps as the deployment runs them when the inputs leave them unset.

A PUT replaces the deployment, and Azure gives whatever it leaves out its default (FACTS.md;
the sources are in tests/emulator/test_emulator_put_replaces.py). DESIGN.md's rule: an input
the user left unset keeps its live value across every write, and a preview never hides a
change to a live setting. :data:`~schema.LIVE_SETTINGS` lists the settings; this module is
the one place that applies the rule to them:

* :class:`Live` what the deployment runs, read from its ARM body (:meth:`Live.of_arm`) or
  from the outputs that recorded it (:meth:`Live.of_outputs`, which reads states written
  before ``live_settings`` existed too);
* :func:`kept` the spec a write sends: each setting it leaves unset filled from a ``Live``
  (the model version only while the model stays the same);
* :func:`live_settings` the ``live_settings`` output;
* :func:`resets` the settings a planned write cannot keep (a replace creates a new
  deployment, which gets Azure's defaults; a model changed in place gets the new model's
  default version), and :func:`describe_resets` the sentence the plan logs about them: the
  CLI shows a dynamic resource's declared inputs only, so the outputs (which diff gets)
  are where the live values must be for the plan to say so without a request.

Pure: no network.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aoai_deploy.providers.core.inputs import DeploymentSpec, has_unknown
from aoai_deploy.providers.core.schema import LIVE_SETTINGS, camel

__all__ = ["Live", "Reset", "describe_resets", "kept", "live_settings", "member", "resets"]

# Where the ``model`` output (the ARM model as reported) sits in a deployment's ARM body.
_MODEL_PATH = ("properties", "model")


def member(mapping: object, key: str) -> Any:
    """``mapping[key]`` with the key compared case-insensitively (a real service sent
    ``eTag`` for ``etag``); ``None`` when absent or when ``mapping`` is no mapping."""
    if not isinstance(mapping, Mapping):
        return None
    if key in mapping:
        return mapping[key]
    folded = key.lower()
    for name, value in mapping.items():
        if isinstance(name, str) and name.lower() == folded:
            return value
    return None


def _at(body: object, path: tuple[str, ...]) -> Any:
    for key in path:
        body = member(body, key)
    return body


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Live:
    """What a deployment runs, for each setting of ``LIVE_SETTINGS`` it reports."""

    values: Mapping[str, str]
    """Input name -> the live value (settings Azure does not report are absent)."""
    model_name: str | None
    """The model the deployment runs, which a model-bound setting belongs to."""
    model_format: str | None

    @classmethod
    def of_arm(cls, arm: Mapping[str, Any] | None) -> Live:
        """From a deployment's ARM body (``None``: nothing is known)."""
        values = {s.name: _text(_at(arm, s.arm_path)) for s in LIVE_SETTINGS}
        model = _at(arm, _MODEL_PATH)
        return cls(
            {name: value for name, value in values.items() if value is not None},
            _text(member(model, "name")),
            _text(member(model, "format")),
        )

    @classmethod
    def of_outputs(cls, outputs: Mapping[str, Any]) -> Live:
        """From the outputs of create, update or read: their ``live_settings``; for a state
        written before that output, what the state says was sent or reported (the echoed
        input, or the ``model`` output for a model-bound setting)."""
        recorded = outputs.get("live_settings")
        model = outputs.get("model")
        values: dict[str, str] = {}
        for setting in LIVE_SETTINGS:
            value = _text(member(recorded, camel(setting.name)))
            if value is None and setting.arm_path[: len(_MODEL_PATH)] == _MODEL_PATH:
                value = _text(_at(model, setting.arm_path[len(_MODEL_PATH) :]))
            if value is None:
                value = _text(outputs.get(setting.name))
            if value is not None:
                values[setting.name] = value
        return cls(
            values,
            _text(member(model, "name")) or _text(outputs.get("model_name")),
            _text(member(model, "format")) or _text(outputs.get("model_format")),
        )

    def same_model(self, spec: DeploymentSpec) -> bool:
        """Whether ``spec`` deploys the model this deployment runs (a format Azure does not
        report is taken to match)."""
        return (
            self.model_name is not None
            and self.model_name.lower() == spec.model_name.lower()
            and (
                self.model_format is None or self.model_format.lower() == spec.model_format.lower()
            )
        )


def kept(spec: DeploymentSpec, live: Live) -> DeploymentSpec:
    """``spec`` with each setting it leaves unset set to what the deployment runs, so that a
    write meant to change something else changes nothing the program did not declare."""
    filled: dict[str, Any] = {}
    for setting in LIVE_SETTINGS:
        value = live.values.get(setting.name)
        if getattr(spec, setting.name) is not None or value is None:
            continue
        if setting.model_bound and not live.same_model(spec):
            continue  # another model: Azure picks that model's default version
        filled[setting.name] = value
    return dataclasses.replace(spec, **filled) if filled else spec


def live_settings(arm: Mapping[str, Any]) -> dict[str, str | None]:
    """The ``live_settings`` output: each setting as ``arm`` reports it, keyed by the
    schema's (camelCase) name of its input, the same in both fronts."""
    live = Live.of_arm(arm)
    return {camel(s.name): live.values.get(s.name) for s in LIVE_SETTINGS}


@dataclass(frozen=True)
class Reset:
    """A live setting that a planned write gives Azure's default."""

    name: str
    """The input, which the program leaves unset."""
    live: str
    """What the deployment runs now."""
    becomes: str
    """What it becomes: Azure's default, or the model's default version."""


def resets(
    olds: Mapping[str, Any], news: Mapping[str, Any], *, replacing: bool, model_moves: bool
) -> list[Reset]:
    """The settings ``news`` leave unset whose recorded live value the planned write does
    not keep: on a replace, each one whose value is not Azure's default already; on a model
    changed in place, the model's version."""
    if not replacing and not model_moves:
        return []
    live = Live.of_outputs(olds)
    found: list[Reset] = []
    for setting in LIVE_SETTINGS:
        declared = news.get(setting.name)
        value = live.values.get(setting.name)
        if declared is not None or has_unknown(declared) or value is None:
            continue
        if not replacing and not setting.model_bound:
            continue  # an update in place keeps it
        default = setting.azure_default
        if default is not None and value.lower() == default.lower():
            continue
        found.append(Reset(setting.name, value, default or "the model's default version"))
    return found


def describe_resets(resource: str, found: list[Reset], *, replacing: bool) -> str:
    """What the plan says about ``found`` (empty: nothing)."""
    if not found:
        return ""
    changes = "; ".join(f"{r.name} {r.live} becomes {r.becomes}" for r in found)
    names = ", ".join(r.name for r in found)
    if replacing:
        return (
            f"replacing {resource} creates a new deployment, where the settings the program "
            f"leaves unset take Azure's defaults: {changes}. To keep them, declare {names}."
        )
    return (
        f"changing the model of {resource} in place moves what the program leaves unset to "
        f"the new model's: {changes}. To choose, declare {names}."
    )
