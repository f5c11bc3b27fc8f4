'use strict';
// Names for the boxes that scripts draw in place of form fields, so screen
// readers say what each is for: Select2's autocomplete boxes (section, tags,
// bylines, experts) and the prose editor's text area. Each takes its field's
// <label>, or, in a table row without labels, the aria-label the server gave
// the field (articles/admin/inlines.py).
(function() {
    function nameSource(field) {
        const label = field.id && document.querySelector('label[for="' + field.id + '"]');
        if (label) {
            label.id = label.id || field.id + '-label';
            return label.id;
        }
        const text = field.getAttribute('aria-label');
        if (!text) {
            return null;
        }
        // aria-labelledby may point at hidden text; it keeps the box's value in its name.
        const id = field.id + '-name';
        if (!document.getElementById(id)) {
            const span = document.createElement('span');
            span.id = id;
            span.hidden = true;
            span.textContent = text;
            field.before(span);  // not after: Select2 draws its box right after the field
        }
        return id;
    }

    function setOnce(element, name, value) {
        if (element.getAttribute(name) !== value) {
            element.setAttribute(name, value);
        }
    }

    function nameAutocomplete(select) {
        const container = select.parentElement.querySelector('.select2-container');
        const box = container && container.querySelector('.select2-selection');
        const source = box && nameSource(select);
        if (!source) {
            return;
        }
        const shown = box.querySelector('.select2-selection__rendered[id]');
        if (shown && !select.multiple) {
            // A single choice: its name, then the chosen value, read from the
            // field itself ("Section: World"; Select2's copy of it carries a
            // "remove" cross). Select2 makes the value a read-only textbox of
            // its own, which gets the name too.
            setOnce(box, 'aria-labelledby', source + ' ' + select.id);
            setOnce(shown, 'aria-labelledby', source);
        } else {
            setOnce(box, 'aria-labelledby', source);
        }
        // Select2 draws the tag box's typing field anew as tags are chosen.
        const search = box.querySelector('.select2-search__field');
        if (search) {
            setOnce(search, 'aria-labelledby', source);
        }
    }

    function nameEditor(editor) {
        if (editor.hasAttribute('aria-labelledby')) {
            return;
        }
        const row = editor.closest('.form-row');
        const field = row && row.querySelector('textarea');
        const source = field && nameSource(field);
        if (source) {
            editor.setAttribute('aria-labelledby', source);
        }
    }

    function nameAll() {
        document.querySelectorAll('select.admin-autocomplete').forEach(nameAutocomplete);
        document.querySelectorAll('[contenteditable="true"][role="textbox"]').forEach(nameEditor);
    }

    document.addEventListener('DOMContentLoaded', function() {
        // Select2 and the editor draw their boxes after this, and again for each
        // inline row added: name whatever appears.
        new MutationObserver(nameAll).observe(document.body, {childList: true, subtree: true});
        nameAll();
    });
})();
