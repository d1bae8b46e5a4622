/* The story form's translation tabs, as modeltranslation builds them (jQuery UI tabs: a <ul> of
   <li aria-controls="tab_id_<field>_<lang>"> and one panel per language holding an input with the class
   "mt-field-<field>-<lang>"). This script, run after modeltranslation's:
   - puts the story's original language (the "original_language" field) first in every tab set and in
     modeltranslation's language switch, keeping the other languages in their configured order;
   - marks the tabs whose field is empty with a class and the word "empty", kept up to date while typing;
   - gives every translated field its language (lang, dir="auto");
   - opens the tab of ?tab=<lang> (the coverage page links there), otherwise the original language's,
     except in a tab set where modeltranslation opened a tab because it has errors. */
"use strict";

(function () {
    const $ = window.django && window.django.jQuery;
    if (!$ || !$.fn.tabs) {
        return;
    }
    const PREFIX = "mt-field-";
    const text = (message) => (typeof window.gettext === "function" ? window.gettext(message) : message);

    /* The language of a translated field, as in the form's choices ("zh-hans"), from its mt-field class. */
    function fieldLanguage(field) {
        const cls = Array.from(field.classList).find((name) => name.startsWith(PREFIX));
        return cls ? cls.slice(PREFIX.length).split("-")[1].replace(/_/g, "-") : null;
    }

    /* The translated field in a tab's panel, or null. */
    function tabField(item) {
        const panel = document.getElementById(item.getAttribute("aria-controls") || "");
        return panel ? panel.querySelector(`[class*="${PREFIX}"]`) : null;
    }

    function setMarker(item, kind, label, shown) {
        const anchor = item.querySelector("a");
        let marker = anchor.querySelector(`.desk-tab-marker-${kind}`);
        if (shown && !marker) {
            marker = document.createElement("span");
            marker.className = `desk-tab-marker desk-tab-marker-${kind}`;
            marker.textContent = ` (${label})`;
            anchor.append(marker);
        } else if (!shown && marker) {
            marker.remove();
        }
    }

    function markEmpty(item, field) {
        const empty = field.value.trim() === "";
        item.classList.toggle("desk-tab-empty", empty);
        setMarker(item, "empty", text("empty"), empty);
    }

    function originalLanguage() {
        const select = document.getElementById("id_original_language");
        return select ? select.value : "";
    }

    /* Each tab set as [container, {language: li}], the languages read from the fields. */
    function tabSets() {
        return Array.from(document.querySelectorAll(".ui-tabs")).map((container) => {
            const items = {};
            container.querySelectorAll(":scope > ul > li").forEach((item) => {
                const field = tabField(item);
                const language = field && fieldLanguage(field);
                if (language) {
                    item.dataset.deskLanguage = language;
                    field.lang = language;
                    field.dir = "auto";
                    items[language] = item;
                    if (!field.dataset.deskWatched) {
                        field.dataset.deskWatched = "1";
                        field.addEventListener("input", () => markEmpty(item, field));
                    }
                    markEmpty(item, field);
                }
            });
            return [container, items];
        });
    }

    let configuredOrder = null;

    /* The languages with the original first, the others in configured order. */
    function languageOrder(sets) {
        if (configuredOrder === null) {
            const first = sets.find(([, items]) => Object.keys(items).length);
            configuredOrder = first ? Object.keys(first[1]) : [];
        }
        const original = originalLanguage();
        return configuredOrder.includes(original)
            ? [original, ...configuredOrder.filter((language) => language !== original)]
            : configuredOrder.slice();
    }

    function reorderSwitch(order) {
        const select = document.getElementById("modeltranslation-main-switch");
        if (!select) {
            return;
        }
        const byLanguage = {};
        Array.from(select.options).forEach((option) => {
            byLanguage[option.textContent.trim().replace(/_/g, "-")] = option;
        });
        const selected = select.selectedOptions[0];
        order.forEach((language, index) => {
            const option = byLanguage[language];
            if (option) {
                option.value = String(index);
                select.append(option);
            }
        });
        if (selected) {
            selected.selected = true;
        }
    }

    /* Put the tabs in ``order`` in every tab set; idempotent. */
    function arrange() {
        const sets = tabSets();
        const order = languageOrder(sets);
        sets.forEach(([container, items]) => {
            const list = container.querySelector(":scope > ul");
            const current = Array.from(list.children).map((item) => item.dataset.deskLanguage);
            if (order.every((language, index) => current[index] === language)) {
                return;
            }
            order.forEach((language) => items[language] && list.append(items[language]));
            $(container).tabs("refresh");
        });
        sets.forEach(([, items]) => {
            Object.entries(items).forEach(([language, item]) => {
                item.classList.toggle("desk-tab-original", language === originalLanguage());
                setMarker(item, "original", text("original"), language === originalLanguage());
            });
        });
        reorderSwitch(order);
        return { sets, order };
    }

    /* Open ``language``'s tab in every tab set that shows no error. */
    function activate(sets, order, language) {
        const index = order.indexOf(language);
        if (index < 0) {
            return;
        }
        sets.forEach(([container]) => {
            if (!container.querySelector(":scope > ul > .ui-tab-has-errors")) {
                $(container).tabs("option", "active", index);
            }
        });
        const select = document.getElementById("modeltranslation-main-switch");
        if (select) {
            select.value = String(index);
        }
    }

    $(function () {
        if (!document.body.classList.contains("change-form")) {
            return;
        }
        const { sets, order } = arrange();
        const requested = new URLSearchParams(window.location.search).get("tab");
        activate(sets, order, order.includes(requested) ? requested : originalLanguage());

        const select = document.getElementById("id_original_language");
        if (select) {
            select.addEventListener("change", arrange);
        }
        document.addEventListener("formset:added", () => window.setTimeout(arrange, 0));
    });
})();
