'use strict';
// The article form's tags box (Select2 in "tags" mode): offer a typed name that
// matches no tag *after* the tags that match it, not before, so that typing
// part of a name and pressing Enter picks the existing tag.
django.jQuery.fn.select2.defaults.set('insertTag', function(data, tag) {
    data.push(tag);
});
