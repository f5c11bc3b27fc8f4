'use strict';
// The article form's "Length": counted again as the body is typed, so an editor
// cutting a story to length sees the count move without saving. The server's
// count (articles.Article.word_count) stays the one that is stored.
(function() {
    function wordsIn(editor) {
        // innerText, not textContent: paragraphs and crossheads must not run
        // their last and first words together.
        return editor.innerText.split(/\s+/).filter(Boolean).length;
    }

    function describe(words, perMinute) {
        const minutes = Math.ceil(words / perMinute);
        return words + ' words, about ' + minutes + ' minute' + (minutes === 1 ? '' : 's') +
            ' to read (as typed, not yet saved)';
    }

    document.addEventListener('DOMContentLoaded', function() {
        const length = document.querySelector('[data-live-length]');
        const field = document.querySelector('.field-body');
        if (!length || !field) {
            return;
        }
        const perMinute = Number(length.dataset.wordsPerMinute);
        let shown = null;  // the count the page shows, once the editor has the saved text

        function recount() {
            const editor = field.querySelector('.ProseMirror[contenteditable]');
            if (!editor) {
                return;
            }
            const words = wordsIn(editor);
            if (shown === null) {
                shown = words;  // the editor's first rendering: the saved text
            } else if (words !== shown) {
                shown = words;
                length.textContent = describe(words, perMinute);
            }
        }

        // The prose editor builds its editable area around page load and
        // changes it without "input" events for toolbar actions: watch it.
        new MutationObserver(recount).observe(
            field, {childList: true, subtree: true, characterData: true}
        );
        recount();
    });
})();
