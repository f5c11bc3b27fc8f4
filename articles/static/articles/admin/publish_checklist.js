'use strict';
// The article form's "Publish checklist", kept current as the form is filled
// in: each item, rendered by articles/admin/displays.py in the checklist's own
// words (articles/publishing/checklist.py), shows while its field is still
// empty. This only reads the form; publishing asks the checklist again on the
// server, which decides.
(function() {
    function filled(field) {
        return field.value.trim() !== '';
    }

    // Whether each item is present in the form as typed, or null when the form
    // cannot tell (its field is not on it): the item then stays as last saved.
    const present = {
        section: function(form) {
            const select = form.querySelector('#id_section');
            return select ? filled(select) : null;
        },
        bylines: function(form) {
            const group = form.querySelector('#bylines-group');
            if (!group) {
                return null;
            }
            const rows = group.querySelectorAll('tr.form-row:not(.empty-form)');
            return Array.from(rows).some(function(row) {
                const author = row.querySelector('select[name$="-author"]');
                const removed = row.querySelector('input[name$="-DELETE"]');
                return Boolean(author && filled(author) && !(removed && removed.checked));
            });
        },
        dek: function(form) {
            const dek = form.querySelector('#id_dek');
            return dek ? filled(dek) : null;
        },
        body: function(form) {
            // The prose editor's text, as the word count reads it; before the
            // editor starts, the field's stored HTML.
            const editor = form.querySelector('.field-body .ProseMirror[contenteditable]');
            if (editor) {
                return editor.innerText.trim() !== '';
            }
            const body = form.querySelector('#id_body');
            if (!body) {
                return null;
            }
            return new DOMParser().parseFromString(body.value, 'text/html').body.textContent.trim() !== '';
        },
        hero_alt: function(form, checklist) {
            const upload = form.querySelector('#id_hero_image');
            const alt = form.querySelector('#id_hero_alt');
            if (!upload || !alt) {
                return null;
            }
            const cleared = form.querySelector('input[name="hero_image-clear"]');
            const stored = checklist.dataset.storedHero === 'true' && !(cleared && cleared.checked);
            const picture = stored || upload.files.length > 0;
            return !picture || filled(alt);
        },
    };

    function update(form, checklist) {
        let missing = 0;
        checklist.querySelectorAll('[data-checklist-item]').forEach(function(item) {
            const test = present[item.dataset.checklistItem];
            const here = test ? test(form, checklist) : null;
            if (here !== null) {
                item.hidden = here;
            }
            if (!item.hidden) {
                missing += 1;
            }
        });
        checklist.querySelector('.publish-checklist__missing').hidden = missing === 0;
        checklist.querySelector('.publish-checklist__ready').hidden = missing > 0;
    }

    document.addEventListener('DOMContentLoaded', function() {
        const checklist = document.querySelector('[data-publish-checklist]');
        const form = checklist && checklist.closest('form');
        if (!form) {
            return;
        }
        let pending = false;
        function soon() {
            // Typing fires several events and mutations per key: check once per frame.
            if (!pending) {
                pending = true;
                window.requestAnimationFrame(function() {
                    pending = false;
                    update(form, checklist);
                });
            }
        }
        form.addEventListener('input', soon);
        form.addEventListener('change', soon);
        // Select2 (section, bylines) reports a choice as a jQuery event only.
        if (window.django && window.django.jQuery) {
            window.django.jQuery(form).on('change', soon);
        }
        // The prose editor changes its text without "input" events for toolbar
        // actions, and bylines are added and removed as rows: watch the form.
        // (Only children and text: the items' own "hidden" is an attribute.)
        new MutationObserver(soon).observe(form, {childList: true, subtree: true, characterData: true});
        update(form, checklist);
    });
})();
