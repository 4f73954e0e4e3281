"""Localized job log and e-mail texts (English, French, Swedish, Korean; English otherwise).

A job's own ``locale`` (submitJob) picks the language of its log and e-mails; ``fr-FR``
and ``fr`` both pick French, anything unknown falls back to English.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_LANGUAGE = "en"

_CATALOG: Mapping[str, Mapping[str, str]] = {
    "en": {
        "begin": "Job {job} started",
        "end": "Job {job} finished: {success} succeeded, {errors} failed, {warnings} warnings",
        "item_success": "{item}: processed",
        "item_error": "{item}: processing failed",
        "item_warning": "{item}: processed with warnings",
        "item_duplicate": "{item}: duplicate skipped",
        "item_cancel": "{item}: cancelled",
        "fatal": "Job {job} failed with a fatal error",
        "stopped": "Job {job} was stopped",
        "export_ready": "Export archive is ready for download",
        "progress": "Processed {done} of {total}",
        "queued": "Waiting to start",
        "processing": "Processing",
        "waiting": "Waiting for the previous run of {job}",
        "mail_start_subject": "IPS job started: {job}",
        "mail_end_subject": "IPS job completed: {job}",
        "mail_fail_subject": "IPS job failed: {job}",
        "mail_body": (
            "Job {run}: {success} succeeded, {errors} failed, {warnings} warnings, "
            "{duplicates} duplicates skipped."
        ),
        "mail_start_body": "Job {run} has started.",
    },
    "fr": {
        "begin": "La tâche {job} a démarré",
        "end": (
            "La tâche {job} est terminée : {success} réussis, {errors} en échec, "
            "{warnings} avertissements"
        ),
        "item_success": "{item} : traité",
        "item_error": "{item} : échec du traitement",
        "item_warning": "{item} : traité avec des avertissements",
        "item_duplicate": "{item} : doublon ignoré",
        "item_cancel": "{item} : annulé",
        "fatal": "La tâche {job} a échoué sur une erreur fatale",
        "stopped": "La tâche {job} a été arrêtée",
        "export_ready": "L’archive d’exportation est prête à être téléchargée",
        "progress": "{done} sur {total} traités",
        "queued": "En attente de démarrage",
        "processing": "En cours de traitement",
        "waiting": "En attente de l’exécution précédente de {job}",
        "mail_start_subject": "Tâche IPS démarrée : {job}",
        "mail_end_subject": "Tâche IPS terminée : {job}",
        "mail_fail_subject": "Échec de la tâche IPS : {job}",
        "mail_body": (
            "Tâche {run} : {success} réussis, {errors} en échec, {warnings} avertissements, "
            "{duplicates} doublons ignorés."
        ),
        "mail_start_body": "La tâche {run} a démarré.",
    },
    "sv": {
        "begin": "Jobbet {job} har startat",
        "end": (
            "Jobbet {job} är klart: {success} lyckades, {errors} misslyckades, {warnings} varningar"
        ),
        "item_success": "{item}: bearbetad",
        "item_error": "{item}: bearbetningen misslyckades",
        "item_warning": "{item}: bearbetad med varningar",
        "item_duplicate": "{item}: dubblett hoppades över",
        "item_cancel": "{item}: avbruten",
        "fatal": "Jobbet {job} misslyckades med ett allvarligt fel",
        "stopped": "Jobbet {job} stoppades",
        "export_ready": "Exportarkivet är klart att hämta",
        "progress": "{done} av {total} bearbetade",
        "queued": "Väntar på att starta",
        "processing": "Bearbetas",
        "waiting": "Väntar på föregående körning av {job}",
        "mail_start_subject": "IPS-jobb startat: {job}",
        "mail_end_subject": "IPS-jobb klart: {job}",
        "mail_fail_subject": "IPS-jobb misslyckades: {job}",
        "mail_body": (
            "Jobb {run}: {success} lyckades, {errors} misslyckades, {warnings} varningar, "
            "{duplicates} dubbletter hoppades över."
        ),
        "mail_start_body": "Jobbet {run} har startat.",
    },
    "ko": {
        "begin": "작업 {job}이(가) 시작되었습니다",
        "end": "작업 {job} 완료: 성공 {success}, 실패 {errors}, 경고 {warnings}",
        "item_success": "{item}: 처리됨",
        "item_error": "{item}: 처리 실패",
        "item_warning": "{item}: 경고와 함께 처리됨",
        "item_duplicate": "{item}: 중복 항목 건너뜀",
        "item_cancel": "{item}: 취소됨",
        "fatal": "작업 {job}이(가) 치명적 오류로 실패했습니다",
        "stopped": "작업 {job}이(가) 중지되었습니다",
        "export_ready": "내보내기 아카이브를 다운로드할 수 있습니다",
        "progress": "{total}개 중 {done}개 처리됨",
        "queued": "시작 대기 중",
        "processing": "처리 중",
        "waiting": "{job}의 이전 실행을 기다리는 중",
        "mail_start_subject": "IPS 작업 시작됨: {job}",
        "mail_end_subject": "IPS 작업 완료됨: {job}",
        "mail_fail_subject": "IPS 작업 실패: {job}",
        "mail_body": (
            "작업 {run}: 성공 {success}, 실패 {errors}, 경고 {warnings}, 중복 건너뜀 {duplicates}."
        ),
        "mail_start_body": "작업 {run}이(가) 시작되었습니다.",
    },
}


def language_of(locale: str | None) -> str:
    """The catalog language for a locale: ``fr-FR`` → ``fr``; unknown or None → ``en``.

    >>> language_of("sv-SE"), language_of("ko"), language_of("de-DE"), language_of(None)
    ('sv', 'ko', 'en', 'en')
    """
    if not locale:
        return DEFAULT_LANGUAGE
    language = locale.replace("_", "-").split("-", 1)[0].lower()
    return language if language in _CATALOG else DEFAULT_LANGUAGE


def localized(key: str, locale: str | None, **values: object) -> str:
    """The text ``key`` in the locale's language, formatted with ``values``."""
    template = _CATALOG[language_of(locale)][key]
    return template.format(**values)
