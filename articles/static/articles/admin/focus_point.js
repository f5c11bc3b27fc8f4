'use strict';
// The focal point of a picture (articles/admin/focus_point.py): a click on the
// picture sets the two numbers beside it, typing a number moves the mark, and
// a file just chosen is shown before it is saved. The numbers are what is saved.
(function() {
    function round(value) {
        return Math.round(Math.min(Math.max(value, 0), 1) * 100) / 100;
    }

    function setUp(picker) {
        if (picker.dataset.ready) {
            return;
        }
        const area = picker.closest('.inline-related, fieldset');
        if (!area) {
            return;
        }
        const across = area.querySelector('input[name$="focus_x"]');
        const down = area.querySelector('input[name$="focus_y"]');
        const file = area.querySelector('input[type="file"]');
        const image = picker.querySelector('.focus-picker__image');
        const mark = picker.querySelector('.focus-picker__mark');
        if (!across || !down || !image || !mark) {
            return;
        }
        picker.dataset.ready = 'yes';

        function showMark() {
            mark.style.left = (round(Number(across.value || 0.5)) * 100) + '%';
            mark.style.top = (round(Number(down.value || 0.5)) * 100) + '%';
        }

        image.addEventListener('click', function(event) {
            const box = image.getBoundingClientRect();
            across.value = round((event.clientX - box.left) / box.width).toFixed(2);
            down.value = round((event.clientY - box.top) / box.height).toFixed(2);
            across.dispatchEvent(new Event('change', {bubbles: true}));
            down.dispatchEvent(new Event('change', {bubbles: true}));
            showMark();
        });
        across.addEventListener('input', showMark);
        down.addEventListener('input', showMark);

        if (file) {
            // A new picture, not yet saved: shown from the file (a data: address,
            // which the page's policy allows for images), its point in the middle.
            file.addEventListener('change', function() {
                const chosen = file.files && file.files[0];
                if (!chosen || !chosen.type.startsWith('image/')) {
                    return;
                }
                const reader = new FileReader();
                reader.addEventListener('load', function() {
                    image.removeAttribute('width');
                    image.removeAttribute('height');
                    image.src = reader.result;
                    picker.hidden = false;
                    across.value = '0.50';
                    down.value = '0.50';
                    showMark();
                });
                reader.readAsDataURL(chosen);
            });
        }
        showMark();
    }

    function setUpAll(root) {
        root.querySelectorAll('[data-focus-picker]').forEach(setUp);
    }

    document.addEventListener('DOMContentLoaded', function() {
        setUpAll(document);
    });
    // A story added to a front with "Add another" brings a picker of its own.
    document.addEventListener('formset:added', function(event) {
        setUpAll(event.target);
    });
})();
